"""Who reads which digest: the sections and scopes a staff member's roles give them.

One rule for the daily digest and ``/stats``:

* managers (and administrators) — everything, for the whole organisation;
* department heads — their department's assignments; controllers — the organisation's assignments
  (they control execution across departments); executors — their own assignments;
* dispatchers — outages and residents' signals;
* clerks — appeals in their scope (``services/appeals/access.py``).

Roles add up (a clerk who heads a department sees both). A section no role of the reader gives is
left out of their digest rather than shown as zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, User
from models.enums import Role
from services.analytics.digest_sections import ALL_SECTIONS, APPEALS, ASSIGNMENTS, OUTAGES
from services.analytics.kpi import ORGANISATION, Scope
from services.appeals import access


@dataclass(frozen=True)
class Reader:
    scope: Scope  # whose assignments
    sections: frozenset[str]
    heading: str  # department name, the executor's name, or "" for the organisation
    clerk_department_id: int | None = None  # appeals: a clerk's scope; None: all

    @property
    def key(self) -> tuple[object, ...]:
        """Readers with equal keys read the same figures (built once per run)."""
        return (self.scope, self.sections, self.clerk_department_id)


async def reader_of(session: AsyncSession, user: User) -> Reader | None:
    """What ``user`` reads in digests and ``/stats``; None: nothing (residents, no matching role)."""
    if not user.is_active:
        return None
    if user.has_role(Role.MANAGER):
        return Reader(ORGANISATION, ALL_SECTIONS, "")
    sections: set[str] = set()
    scope, heading = ORGANISATION, ""
    department = await session.scalar(
        select(Department).where(Department.head_id == user.id, Department.is_active).order_by(Department.id)
    )
    if department is not None:
        sections.add(ASSIGNMENTS)
        scope, heading = Scope(department_id=department.id), department.name
    elif Role.CONTROLLER in user.roles:
        sections.add(ASSIGNMENTS)
    elif Role.EXECUTOR in user.roles:
        sections.add(ASSIGNMENTS)
        scope, heading = Scope(user_id=user.id), user.full_name
    if Role.DISPATCHER in user.roles:
        sections.add(OUTAGES)
    if Role.CLERK in user.roles:
        sections.add(APPEALS)
    if not sections:
        return None
    clerk_department_id = access.scoped_department(user) if APPEALS in sections else None
    if not heading and clerk_department_id is not None:
        name = select(Department.name).where(Department.id == clerk_department_id)
        heading = await session.scalar(name) or ""
    return Reader(scope, frozenset(sections), heading, clerk_department_id)
