"""Counting working time on a calendar: pure, no database (``store.load`` builds the calendar).

A day is a working day by, in order: an administrator's row for that date (``CalendarDay``), the
government's calendar from the ``holidays`` library (public holidays, days off moved by decree,
weekend days made working), and the weekday's hours (``WorkHours``). The eve of a public holiday is
one hour shorter (Labour Code art. 95) unless a row says otherwise.

Times are UTC outside and local (the organisation's zone) inside; working intervals are
``[start, end)`` of each working day, so an SLA of 4 working hours filed at 17:00 on a Friday with
09:00–18:00 hours is due at 12:00 on Monday.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from models.enums import CalendarDayKind

MAX_SPAN_DAYS = 3 * 366  # a guard: no target or term reaches further than this
DEFAULT_WEEK: dict[int, tuple[time, time]] = {d: (time(9, 0), time(18, 0)) for d in range(5)}


def parse_hhmm(value: str) -> time:
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, slots=True)
class DayRule:
    """An administrator's row for one date."""

    kind: CalendarDayKind
    hours: tuple[time, time] | None = None  # for a working or shortened day with its own hours
    note: str = ""


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    working: bool
    hours: tuple[time, time] | None
    # Why it differs from the usual week: a CalendarDayKind value, "weekend", or "" (an ordinary day).
    reason: str
    name: str = ""  # the holiday's name or the administrator's note


@dataclass(eq=False)
class WorkCalendar:
    tz: ZoneInfo
    week: Mapping[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_WEEK))
    rules: Mapping[date, DayRule] = field(default_factory=dict)
    use_state_calendar: bool = True

    @cached_property
    def _state(self) -> Any:
        return _state_calendar() if self.use_state_calendar else None

    def _state_day(self, day: date) -> tuple[bool | None, str]:
        """The government's word on ``day``: (working?, holiday name); None: an ordinary day."""
        if self._state is None:
            return None, ""
        name = self._state.get(day)
        if name:
            return False, str(name)
        if day in self._state.weekend_workdays:
            return True, ""
        return None, ""

    def _public_holiday_eve(self, day: date) -> bool:
        """The next day is a public holiday itself (not a day off moved there by decree)."""
        if self._state is None:
            return False
        following = day + timedelta(days=1)
        name = self._state.get(following)
        return bool(name) and "перенес" not in str(name).lower()

    def info(self, day: date) -> DayInfo:
        rule = self.rules.get(day)
        usual = self.week.get(day.weekday())
        if rule is not None:
            if rule.kind in (CalendarDayKind.HOLIDAY, CalendarDayKind.DAY_OFF):
                return DayInfo(day, False, None, rule.kind.value, rule.note)
            hours = rule.hours or usual or DEFAULT_WEEK[0]
            if rule.kind is CalendarDayKind.SHORT and rule.hours is None:
                hours = _shortened(hours)
            return DayInfo(day, True, hours, rule.kind.value, rule.note)
        state_working, name = self._state_day(day)
        if state_working is False:
            return DayInfo(day, False, None, CalendarDayKind.HOLIDAY.value, name)
        if state_working is True:
            hours = usual or DEFAULT_WEEK[0]
            if self._public_holiday_eve(day):
                hours = _shortened(hours)
            return DayInfo(day, True, hours, CalendarDayKind.WORKDAY.value)
        if usual is None:
            return DayInfo(day, False, None, "weekend")
        if self._public_holiday_eve(day):
            return DayInfo(day, True, _shortened(usual), CalendarDayKind.SHORT.value)
        return DayInfo(day, True, usual, "")

    def is_working_day(self, day: date) -> bool:
        return self.info(day).working

    def hours(self, day: date) -> tuple[time, time] | None:
        return self.info(day).hours

    def next_working_day(self, day: date, *, include: bool = False) -> date:
        """The first working day after ``day`` (``include``: ``day`` itself if it is one)."""
        current = day if include else day + timedelta(days=1)
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError("no working day within three years")

    def previous_working_day(self, day: date, *, include: bool = False) -> date:
        current = day if include else day - timedelta(days=1)
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(current):
                return current
            current -= timedelta(days=1)
        raise ValueError("no working day within three years")

    def add_working_days(self, day: date, count: int) -> date:
        """``count`` working days after ``day`` (0: ``day`` itself when working, else the next)."""
        current = self.next_working_day(day, include=True)
        for _ in range(count):
            current = self.next_working_day(current)
        return current

    def _interval(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.hours(day)
        if hours is None:
            return None
        start = datetime.combine(day, hours[0], tzinfo=self.tz)
        end = datetime.combine(day, hours[1], tzinfo=self.tz)
        return (start, end) if end > start else None

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` working minutes after ``start`` (UTC in, UTC out)."""
        if minutes <= 0:
            return start
        remaining = timedelta(minutes=minutes)
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_SPAN_DAYS):
            interval = self._interval(day)
            if interval is not None:
                begin = max(local, interval[0])
                if begin < interval[1]:
                    available = interval[1] - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("the target lies more than three years ahead")

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Whole working minutes in ``[start, end)``."""
        if end <= start:
            return 0
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        total = timedelta()
        day = local_start.date()
        last = local_end.date()
        if (last - day).days > MAX_SPAN_DAYS:
            raise ValueError("the period is longer than three years")
        while day <= last:
            interval = self._interval(day)
            if interval is not None:
                begin, finish = max(local_start, interval[0]), min(local_end, interval[1])
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)

    def end_of_working_day(self, day: date) -> datetime:
        """The end of ``day``'s working hours in UTC (a day off: its local midnight end)."""
        interval = self._interval(day)
        if interval is None:
            return (datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)).astimezone(UTC)
        return interval[1].astimezone(UTC)


@lru_cache(maxsize=1)
def _state_calendar() -> Any:
    """The government's calendar, built once per process (~2 ms, and every request's card and every
    SLA scan builds a WorkCalendar); the library fills in years as dates are asked for."""
    return holidays.RU(language="ru")


def _shortened(hours: tuple[time, time]) -> tuple[time, time]:
    end = datetime.combine(date(2000, 1, 1), hours[1]) - timedelta(hours=1)
    return hours[0], max(end.time(), hours[0])
