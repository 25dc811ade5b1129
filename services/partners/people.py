"""An organisation's people in the panel: who they are, who heads them, and removing someone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, Organisation, User
from services import staff
from services.audit import Actor
from services.config.access import require_admin
from services.errors import NotFound
from services.partners.members import get_organisation


@dataclass(frozen=True, slots=True)
class Person:
    user: User
    is_head: bool

    @property
    def telegram_bound(self) -> bool:
        return self.user.telegram_id is not None


async def people_of(session: AsyncSession, organisation_id: int) -> list[Person]:
    """Everyone of the organisation, active first, the head on top."""
    org = await get_organisation(session, organisation_id)
    dept = await session.get(Department, org.department_id)
    head_id = dept.head_id if dept is not None else None
    users = (await session.scalars(select(User).where(User.department_id == org.department_id))).all()
    people = [Person(u, u.id == head_id) for u in users]
    return sorted(people, key=lambda p: (not p.user.is_active, not p.is_head, p.user.full_name.casefold()))


async def people_counts(session: AsyncSession) -> dict[int, int]:
    """Active people per organisation id (for the list)."""
    rows = await session.execute(
        select(Organisation.id, func.count(User.id))
        .join(User, User.department_id == Organisation.department_id)
        .where(User.is_active.is_(True))
        .group_by(Organisation.id)
    )
    return {org_id: n for org_id, n in rows.all()}


async def deactivate_member(session: AsyncSession, actor: Actor, organisation_id: int, user_id: int) -> User:
    """Remove a person from the organisation's work (admin only); the head role passes on to nobody,
    so the panel shows the department without a head until someone else joins or is chosen."""
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    user = await session.get(User, user_id)
    if user is None or user.department_id != org.department_id:
        raise NotFound("User not found.")
    await staff.set_active(session, actor, user.id, False)
    dept = await session.get(Department, org.department_id)
    if dept is not None and dept.head_id == user.id:
        await staff.set_department_head(session, actor, dept.id, None)
    await session.flush()
    return user


async def make_head(session: AsyncSession, actor: Actor, organisation_id: int, user_id: int) -> None:
    """Choose who receives the assignments sent to the organisation (admin only)."""
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    user = await session.get(User, user_id)
    if user is None or user.department_id != org.department_id or not user.is_active:
        raise NotFound("User not found.")
    await staff.set_department_head(session, actor, org.department_id, user.id)
    await session.flush()
