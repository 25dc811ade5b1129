"""Editing departments and staff from the admin panel.

Builds on :mod:`services.staff`; refusals carry ``field=`` so a form can show them next to the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import Department, Invite, User, UserRole, utcnow
from models.enums import Role
from services import staff
from services.admin_rights import require_admin
from services.audit import Actor, record
from services.correspondents.normalize import digits_of, phone_fragments
from services.errors import InvalidInput, NotFound
from services.passwords import check_password
from services.textfold import fold


async def get_department(session: AsyncSession, dept_id: int) -> Department:
    dept = await session.get(Department, dept_id)
    if dept is None:
        raise NotFound("Department not found.")
    return dept


DEPARTMENT_SORT_KEYS = ("name", "short_name", "head")


async def list_departments_with_heads(
    session: AsyncSession,
    *,
    text: str | None = None,
    active_only: bool = False,
    sort: str = "name",
    desc: bool = False,
) -> Sequence[Department]:
    """Departments with their heads; searched (name, short name, head) and ordered in Python, for the
    same reason as :func:`list_staff`."""
    query = select(Department).options(selectinload(Department.head)).order_by(Department.name)
    if active_only:
        query = query.where(Department.is_active.is_(True))
    departments = list((await session.scalars(query)).all())
    needle = fold(text).strip() if text else ""
    if needle:
        departments = [
            d
            for d in departments
            if needle
            in " ".join(fold(x) for x in (d.name, d.short_name, d.head.full_name if d.head else None))
        ]

    def key(d: Department) -> str:
        if sort == "short_name":
            return fold(d.short_name)
        if sort == "head":
            return fold(d.head.full_name) if d.head else ""
        return fold(d.name)

    departments.sort(key=lambda d: d.id, reverse=desc)
    departments.sort(key=key, reverse=desc)
    return departments


STAFF_SORT_KEYS = ("name", "position", "department", "login")


@dataclass(frozen=True, slots=True)
class StaffQuery:
    """The staff list's filters, search and order."""

    department_id: int | None = None
    role: Role | None = None
    text: str | None = None  # name, login, e-mail, phone, position or department
    active_only: bool = False
    telegram_only: bool = False
    sort: str = "name"  # one of STAFF_SORT_KEYS
    desc: bool = False


def _staff_haystack(u: User) -> str:
    parts = (u.full_name, u.login, u.email, u.phone, u.position, u.department.name if u.department else None)
    return " ".join(fold(p) for p in parts if p)


def _staff_key(u: User, sort: str) -> str:
    if sort == "position":
        return fold(u.position)
    if sort == "department":
        return fold(u.department.name) if u.department else ""
    if sort == "login":
        return u.login or ""
    return fold(u.full_name)


async def list_staff(
    session: AsyncSession,
    *,
    department_id: int | None = None,
    role: Role | None = None,
    query: StaffQuery | None = None,
) -> Sequence[User]:
    """The staff list. Search and order are done in Python on purpose: an administration has hundreds
    of staff, not millions, and SQLite's LIKE/lower()/ORDER BY fold ASCII only, so "иванов" would miss
    "Иванов" there while PostgreSQL found it; ``fold`` treats both databases (and "ё") the same."""
    q = query or StaffQuery(department_id=department_id, role=role)
    stmt = select(User).options(selectinload(User.department)).order_by(User.full_name, User.id)
    if q.department_id is not None:
        stmt = stmt.where(User.department_id == q.department_id)
    if q.role is not None:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == q.role.value)))
    if q.active_only:
        stmt = stmt.where(User.is_active.is_(True))
    if q.telegram_only:
        stmt = stmt.where(User.telegram_id.is_not(None))
    users = list((await session.scalars(stmt)).all())
    needle = " ".join(fold(q.text).split()) if q.text else ""
    if needle:
        phones = phone_fragments(q.text)  # "8 916 123" finds "+7 916 123-45-67"
        users = [
            u for u in users if needle in _staff_haystack(u) or any(p in digits_of(u.phone) for p in phones)
        ]
    users.sort(key=lambda u: u.id, reverse=q.desc)  # the tiebreak, in the same direction
    users.sort(key=lambda u: _staff_key(u, q.sort), reverse=q.desc)
    return users


async def open_invite(session: AsyncSession, user_id: int) -> Invite | None:
    """The user's invite that can still be redeemed, if any (tokens themselves are never stored)."""
    query = (
        select(Invite)
        .where(
            Invite.user_id == user_id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > utcnow(),
        )
        .order_by(Invite.created_at.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def _check_department_name(session: AsyncSession, name: str, exclude_id: int | None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII only, so "Отдел" and "отдел" would both pass.
    rows = await session.execute(select(Department.id, Department.name))
    if any(dept_id != exclude_id and other.casefold() == name.casefold() for dept_id, other in rows):
        raise InvalidInput("A department with this name already exists.", field="name")


async def _check_parent(session: AsyncSession, dept_id: int | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    seen: set[int] = set()
    current: int | None = parent_id
    # Walk up from the new parent: meeting the department itself would make a cycle.
    while current is not None and current not in seen:
        if current == dept_id:
            raise InvalidInput("A department cannot be placed inside itself.", field="parent_id")
        seen.add(current)
        parent = await session.get(Department, current)
        if parent is None:
            raise NotFound("Department not found.", field="parent_id")
        current = parent.parent_id


async def _check_user(session: AsyncSession, user_id: int | None, field: str) -> None:
    if user_id is not None and await session.get(User, user_id) is None:
        raise NotFound("User not found.", field=field)


async def save_department(
    session: AsyncSession,
    actor: Actor,
    dept_id: int | None,
    *,
    name: str,
    short_name: str | None,
    parent_id: int | None,
    head_id: int | None,
) -> Department:
    """Create (``dept_id=None``) or update a department; every change lands in the audit log."""
    await require_admin(session, actor)
    name = name.strip()
    short_name = (short_name or "").strip() or None
    await _check_department_name(session, name, dept_id)
    await _check_parent(session, dept_id, parent_id)
    await _check_user(session, head_id, "head_id")
    if dept_id is None:
        dept = await staff.create_department(session, actor, name, short_name=short_name, parent_id=parent_id)
    else:
        dept = await get_department(session, dept_id)
        changes = _apply(dept, {"name": name, "short_name": short_name, "parent_id": parent_id})
        if changes:
            record(session, actor, "department", dept.id, "updated", data={"changes": changes})
    if dept.head_id != head_id:
        await staff.set_department_head(session, actor, dept.id, head_id)
    await session.flush()
    return dept


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set attributes, returning ``{field: [old, new]}`` for those that changed."""
    changes: dict[str, list[Any]] = {}
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            setattr(obj, key, value)
            changes[key] = [old, value]
    return changes


async def _check_login(session: AsyncSession, login: str | None, exclude_id: int | None) -> None:
    if not login:
        return
    query = select(func.count()).where(User.login == login)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    if await session.scalar(query):
        raise InvalidInput("This login is already taken.", field="login")


async def _check_staff_fields(
    session: AsyncSession,
    user_id: int | None,
    login: str | None,
    department_id: int | None,
    password: str | None,
    full_name: str,
) -> None:
    await _check_login(session, login, user_id)
    if department_id is not None and await session.get(Department, department_id) is None:
        raise NotFound("Department not found.", field="department_id")
    if password:  # checked here too, so the error is shown next to the password field
        check_password(password, user_inputs=(login, full_name), field="password")


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """A staff member's record as the panel's form gives it (for a new one and an edit alike)."""

    full_name: str
    roles: Iterable[str]
    position: str | None = None
    department_id: int | None = None
    email: str | None = None
    phone: str | None = None
    login: str | None = None
    password: str | None = None  # only when set or changed
    is_active: bool = True


async def create_staff(session: AsyncSession, actor: Actor, data: StaffRecord) -> User:
    await require_admin(session, actor)
    login = (data.login or "").strip().lower() or None
    password, department_id = data.password, data.department_id
    await _check_staff_fields(session, None, login, department_id, password, data.full_name)
    user = await staff.create_user(
        session,
        actor,
        full_name=data.full_name,
        roles=data.roles,
        department_id=department_id,
        position=data.position,
        email=data.email,
        phone=data.phone,
        login=login,
        password=password or None,
    )
    if not data.is_active:
        await staff.set_active(session, actor, user.id, False)
    return user


async def update_staff(session: AsyncSession, actor: Actor, user_id: int, data: StaffRecord) -> User:
    await require_admin(session, actor)
    user = await staff.get_user(session, user_id)
    login = (data.login or "").strip().lower() or None
    role_set = set(data.roles)
    full_name = data.full_name.strip()
    position, department_id, email, phone = data.position, data.department_id, data.email, data.phone
    password, is_active = data.password, data.is_active
    if not full_name:
        raise InvalidInput("Full name is required.", field="full_name")
    if actor.user_id == user_id and (Role.ADMIN.value not in role_set or not is_active):
        # Saving one's own record must never lock the last administrator out of the panel.
        raise InvalidInput("You cannot remove your own administrator access.", field="roles")
    await _check_staff_fields(session, user_id, login, department_id, password, full_name)
    changes = _apply(
        user,
        {
            "full_name": full_name,
            "position": (position or "").strip() or None,
            "department_id": department_id,
            "email": (email or "").strip().lower() or None,
            "phone": (phone or "").strip() or None,
            "login": login,
        },
    )
    if changes:
        record(session, actor, "user", user.id, "updated", data={"changes": changes})
    await staff.set_roles(session, actor, user.id, role_set)
    await staff.set_active(session, actor, user.id, is_active)
    if password:
        await staff.set_password(session, actor, user.id, password)
    await session.flush()
    return user
