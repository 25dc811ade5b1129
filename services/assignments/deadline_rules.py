"""Which new deadlines make sense: one rule for the executor's request and the control's change.

A deadline already missed is no base for «+3 days»: that would ask for a date in the past. Quick
picks therefore count from today (in the configured zone) once the deadline has passed, and from
the deadline otherwise; any new deadline must lie in the future.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.errors import InvalidInput

QUICK_PICKS = (1, 3, 7)  # days


def quick_pick(deadline: datetime, days: int, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The deadline «+``days``»: from the deadline while it is ahead, else from today at the
    deadline's local time of day (an overdue 18:00 deadline +1 day is tomorrow 18:00)."""
    if deadline > now:
        return deadline + timedelta(days=days)
    local_deadline, today = deadline.astimezone(tz), now.astimezone(tz).date()
    moment = datetime.combine(today + timedelta(days=days), local_deadline.timetz().replace(tzinfo=None), tz)
    return moment if moment > now else moment + timedelta(days=1)


def check_new_deadline(new_deadline: datetime, *, current: datetime | None, now: datetime) -> None:
    """Refuse a new deadline in the past, or (for an extension) not later than the current one."""
    if new_deadline <= now:
        raise InvalidInput("The new deadline must be in the future.")
    if current is not None and new_deadline <= current:
        raise InvalidInput("The new deadline must be later than the current one.")
