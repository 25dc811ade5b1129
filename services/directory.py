"""Finding staff to address work to: active departments, their people, search by a name fragment.

Matching is done in Python: SQLite's ``lower()`` ignores Cyrillic, and a municipal staff list is
small enough (hundreds to a few thousand rows) to scan.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, User
from services.textfold import fold

SEARCH_LIMIT = 10
MIN_FRAGMENT = 2


async def active_departments(session: AsyncSession) -> Sequence[Department]:
    query = select(Department).where(Department.is_active.is_(True)).order_by(Department.name)
    return (await session.scalars(query)).all()


async def department_members(session: AsyncSession, department_id: int) -> Sequence[User]:
    query = (
        select(User)
        .where(User.department_id == department_id, User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )
    return (await session.scalars(query)).all()


async def active_user(session: AsyncSession, user_id: int) -> User | None:
    user = await session.get(User, user_id)
    return user if user is not None and user.is_active else None


async def active_department(session: AsyncSession, department_id: int) -> Department | None:
    dept = await session.get(Department, department_id)
    return dept if dept is not None and dept.is_active else None


async def department_head(session: AsyncSession, dept: Department) -> User | None:
    """The active head who receives work addressed to the whole department."""
    return await active_user(session, dept.head_id) if dept.head_id else None


async def search_staff(session: AsyncSession, fragment: str, *, limit: int = SEARCH_LIMIT) -> list[User]:
    """Active staff whose full name contains every word of ``fragment`` (in any order and case)."""
    words = [fold(w) for w in fragment.split() if w]
    if not words or sum(map(len, words)) < MIN_FRAGMENT:
        return []
    rows = (
        await session.execute(
            select(User.id, User.full_name).where(User.is_active.is_(True)).order_by(User.full_name, User.id)
        )
    ).all()
    ids = [uid for uid, name in rows if all(w in fold(name) for w in words)][:limit]
    if not ids:
        return []
    users = {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(ids)))).all()}
    return [users[i] for i in ids if i in users]
