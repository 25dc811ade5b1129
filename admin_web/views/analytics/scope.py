"""Who may see which KPI, and the filters of the analytics pages (period, department, employee)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import select

from admin_web.keys import DB_KEY
from admin_web.views.common import acting_user, int_or_none, zone
from models import Department, User
from models.enums import Role
from services.analytics.kpi import ORGANISATION, Scope

WIDE_ROLES = (Role.MANAGER, Role.CLERK)  # (and admins): every department and employee
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    start_day: date
    end_day: date  # inclusive, as the user typed it
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    scope: Scope
    locked_department: bool  # a department head sees only their own department

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (links to exports keep them)."""
        params = {"from": self.start_day.isoformat(), "to": self.end_day.isoformat()}
        if self.scope.department_id is not None:
            params["department"] = str(self.scope.department_id)
        if self.scope.user_id is not None:
            params["employee"] = str(self.scope.user_id)
        return params


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _bounds(start_day: date, end_day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(start_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


async def read_filters(request: web.Request, now: datetime) -> Filters:
    """Parse and authorise the filters; unknown or forbidden values fall back to what the user may see."""
    user = await acting_user(request)
    db = request[DB_KEY]
    tz = zone(request)
    today = now.astimezone(tz).date()
    end_day = _day(request.query.get("to")) or today
    start_day = _day(request.query.get("from")) or end_day.replace(day=1)
    if start_day > end_day:
        start_day, end_day = end_day, start_day
    start_day = max(start_day, end_day - timedelta(days=MAX_PERIOD_DAYS))
    department_id = int_or_none(request.query.get("department"))
    employee_id = int_or_none(request.query.get("employee"))
    locked = False
    if not user.has_role(*WIDE_ROLES):
        own = await db.scalar(
            select(Department.id).where(Department.head_id == user.id, Department.is_active)
        )
        if own is None:
            raise web.HTTPForbidden()
        department_id, locked = own, True
        if employee_id is not None:
            member = await db.scalar(select(User.department_id).where(User.id == employee_id))
            employee_id = employee_id if member == own else None
    start, end = _bounds(start_day, end_day, tz)
    scope = (
        Scope(department_id=department_id, user_id=employee_id)
        if department_id or employee_id
        else ORGANISATION
    )
    return Filters(start_day, end_day, start, end, scope, locked)
