"""Which new deadlines make sense: one rule for the executor's request and the control's change.

Quick picks count working days on the production calendar (:mod:`services.work_calendar`), the way
templates and recurring assignments count their terms: «+1 working day» from a Friday is Monday, and
public holidays and the organisation's own days off are skipped. A deadline already missed is no
base for «+3 days»: that would ask for a date in the past. Quick picks therefore count from today
(in the configured zone) once the deadline has passed, and from the deadline's day otherwise; any
new deadline must lie in the future.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import InvalidInput
from services.work_calendar import store
from services.work_calendar.clock import WorkCalendar

QUICK_PICKS = (1, 3, 5)  # working days (5: a working week)


def quick_pick(deadline: datetime, days: int, *, now: datetime, calendar: WorkCalendar) -> datetime:
    """The deadline «+``days`` working days» at its local time of day: the ``days``-th working day
    after the deadline's day while it is ahead, else after today (an overdue 18:00 deadline
    «+1 working day» on a Friday is Monday 18:00). UTC."""
    local = deadline.astimezone(calendar.tz)
    base = local.date() if deadline > now else now.astimezone(calendar.tz).date()
    # The first working day after the base, then the rest: as the SLA watch counts working days.
    day = calendar.add_working_days(calendar.next_working_day(base), max(days, 1) - 1)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), calendar.tz).astimezone(UTC)


async def work_calendar(session: AsyncSession, tz: ZoneInfo) -> WorkCalendar:
    """The production calendar the quick picks count on (the administrator's days over the law's)."""
    return await store.load(session, tz)


def check_new_deadline(new_deadline: datetime, *, current: datetime | None, now: datetime) -> None:
    """Refuse a new deadline in the past, or (for an extension) not later than the current one."""
    if new_deadline <= now:
        raise InvalidInput("The new deadline must be in the future.")
    if current is not None and new_deadline <= current:
        raise InvalidInput("The new deadline must be later than the current one.")
