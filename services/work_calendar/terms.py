"""Legal terms on the production calendar: a term whose last day is a day off moves.

59-FZ counts an appeal's terms in calendar days; the methodological recommendations on 59-FZ (and
common practice of the bodies) end a term whose last day falls on a non-working day on the
PRECEDING working day, so the answer is never due on a holiday. Some organisations follow the
civil-law rule instead (Civil Code art. 193: the next working day), some keep plain calendar days:
``PORUCHENO_APPEAL_TERM_ON_DAY_OFF`` = previous | next | none picks one.

``Terms`` is pure: the calendar is passed in (``load`` builds it from the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.work_calendar import store
from services.work_calendar.clock import WorkCalendar


class DayOffRule(StrEnum):
    PREVIOUS = "previous"  # the methodological recommendations on 59-FZ
    NEXT = "next"  # Civil Code art. 193
    NONE = "none"  # plain calendar days


DEFAULT_RULE = DayOffRule.PREVIOUS


@dataclass(frozen=True, slots=True)
class Terms:
    tz: ZoneInfo
    calendar: WorkCalendar | None = None
    rule: DayOffRule = DayOffRule.NONE

    def last_day(self, day: date, start: date | None = None) -> date:
        """``day`` as the last day of a term begun on ``start``, moved off a non-working day by the
        rule; a term inside long holidays (7 days from 1 January) cannot end on or before the day it
        began, so it then ends on the first working day after them."""
        if self.calendar is None or self.rule is DayOffRule.NONE or self.calendar.is_working_day(day):
            return day
        if self.rule is DayOffRule.PREVIOUS:
            before = self.calendar.previous_working_day(day)
            if start is None or before > start:
                return before
        return self.calendar.next_working_day(day)

    def end_of_day(self, moment: datetime, days: int) -> datetime:
        """The last second of the local day ``days`` calendar days after ``moment``'s (moved), UTC."""
        start = moment.astimezone(self.tz).date()
        day = self.last_day(start + timedelta(days=days), start)
        end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=self.tz) - timedelta(seconds=1)
        return end.astimezone(UTC)

    def after(self, moment: datetime, days: int) -> datetime:
        """``moment`` plus ``days`` calendar days; on a day off moved by whole days, same local time."""
        due = moment + timedelta(days=days)
        local = due.astimezone(self.tz)
        day = self.last_day(local.date(), moment.astimezone(self.tz).date())
        if day == local.date():
            return due
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.tz).astimezone(UTC)


def parse_rule(value: str | None) -> DayOffRule:
    try:
        return DayOffRule((value or DEFAULT_RULE.value).strip().lower())
    except ValueError:
        return DEFAULT_RULE


async def load(session: AsyncSession, tz: ZoneInfo, rule: DayOffRule | str = DEFAULT_RULE) -> Terms:
    """Terms on the calendar the administration set (no query at all for the rule «none»)."""
    rule = parse_rule(rule) if isinstance(rule, str) else rule
    if rule is DayOffRule.NONE:
        return Terms(tz)
    return Terms(tz, await store.load(session, tz), rule)
