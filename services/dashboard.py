"""Headline numbers for the admin panel's start page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, Invite, User, utcnow


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
