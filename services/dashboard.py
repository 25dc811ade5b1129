"""Headline numbers for the admin panel's start page: the administrator's counts and the manager's
overdue work per department. The role blocks' other figures are counted by the lists' own services
(``services.assignments.panel.count``, ``services.appeals.queries.count_appeals``), so a figure and
the rows of the list it links to cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Department, Invite, User, utcnow
from models.enums import OPEN_ASSIGNMENT_STATUSES


@dataclass(frozen=True, slots=True)
class DashboardCounts:
    departments: int
    staff: int
    staff_with_telegram: int
    open_invites: int


async def dashboard_counts(session: AsyncSession) -> DashboardCounts:
    """Active departments and staff; invites that can still be redeemed."""
    now = utcnow()
    departments = select(func.count()).select_from(Department).where(Department.is_active.is_(True))
    staff = select(func.count()).select_from(User).where(User.is_active.is_(True))
    bound = staff.where(User.telegram_id.is_not(None))
    invites = (
        select(func.count())
        .select_from(Invite)
        .where(Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now)
    )
    return DashboardCounts(
        departments=await session.scalar(departments) or 0,
        staff=await session.scalar(staff) or 0,
        staff_with_telegram=await session.scalar(bound) or 0,
        open_invites=await session.scalar(invites) or 0,
    )


@dataclass(frozen=True, slots=True)
class DepartmentOverdue:
    department_id: int
    name: str
    overdue: int


async def overdue_by_department(session: AsyncSession, now: datetime) -> list[DepartmentOverdue]:
    """Open assignments past their deadline, per active department that has any, most first. For
    those who see every assignment (the manager's block): the same rows as the list's
    ``status=overdue&department=<id>``."""
    rows = await session.execute(
        select(Department.id, Department.name, func.count(Assignment.id))
        .join(Assignment, Assignment.department_id == Department.id)
        .where(
            Department.is_active.is_(True),
            Assignment.status.in_([s.value for s in OPEN_ASSIGNMENT_STATUSES]),
            Assignment.deadline < now,
        )
        .group_by(Department.id, Department.name)
    )
    found = [DepartmentOverdue(i, name, n) for i, name, n in rows.all()]
    return sorted(found, key=lambda d: (-d.overdue, d.name.casefold(), d.department_id))
