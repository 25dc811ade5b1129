"""The production calendar as the administrator keeps it: hours per weekday and the dated rows
(the government's yearly list typed in or corrected, the organisation's own days off such as a
museum's sanitary day, shortened days), and the year as the panel shows it.

Every change re-checks the administrator's role and is audited; a refusal names its form field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CalendarDay, WorkHours, utcnow
from models.enums import CalendarDayKind
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput, NotFound
from services.work_calendar import store
from services.work_calendar.clock import DayInfo, WorkCalendar, parse_hhmm

ENTITY = "work_calendar"
NOTE_LIMIT = 255
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Own hours make sense only on a day people work.
HOURS_KINDS = frozenset({CalendarDayKind.WORKDAY, CalendarDayKind.SHORT})


@dataclass(frozen=True, slots=True)
class DayInput:
    day: date | None
    kind: str
    note: str = ""
    starts: str | None = None
    ends: str | None = None


@dataclass(frozen=True, slots=True)
class MonthView:
    month: int
    days: tuple[DayInfo, ...]
    working_days: int
    working_minutes: int  # by the configured hours (their whole span)
    norm_hours: int  # the «production calendar» norm at a 40-hour week: 8 a day, 7 on a shortened one

    @property
    def working_hours(self) -> float:
        return self.working_minutes / 60


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    months: tuple[MonthView, ...]

    @property
    def working_days(self) -> int:
        return sum(m.working_days for m in self.months)

    @property
    def working_minutes(self) -> int:
        return sum(m.working_minutes for m in self.months)

    @property
    def norm_hours(self) -> int:
        return sum(m.norm_hours for m in self.months)

    @property
    def days_off(self) -> int:
        return sum(len(m.days) for m in self.months) - self.working_days


def _hours(starts: str | None, ends: str | None, prefix: str = "") -> tuple[str, str] | None:
    """Validated «HH:MM» pair; both empty: None. Field names are ``<prefix>starts``/``<prefix>ends``."""
    starts, ends = (starts or "").strip(), (ends or "").strip()
    if not starts and not ends:
        return None
    for name, value in (("starts", starts), ("ends", ends)):
        if not HHMM.match(value):
            raise InvalidInput("Enter the time as HH:MM.", field=prefix + name)
    if parse_hhmm(ends) <= parse_hhmm(starts):
        raise InvalidInput("The end must be after the start.", field=prefix + "ends")
    return starts, ends


async def set_week(
    session: AsyncSession, actor: Actor, hours: Mapping[int, tuple[str | None, str | None]]
) -> dict[int, tuple[str, str]]:
    """Replace the weekly hours; a weekday with both times empty (or absent) is a day off."""
    await require_admin(session, actor)
    week: dict[int, tuple[str, str]] = {}
    for weekday in range(7):
        starts, ends = hours.get(weekday, (None, None))
        pair = _hours(starts, ends, prefix=f"{weekday}_")
        if pair is not None:
            week[weekday] = pair
    if not week:
        raise InvalidInput("At least one weekday must be a working day.", field="0_starts")
    old = {
        w: (h[0].strftime("%H:%M"), h[1].strftime("%H:%M")) for w, h in (await store.week(session)).items()
    }
    await session.execute(delete(WorkHours))
    now = utcnow()
    session.add_all(WorkHours(weekday=w, starts=s, ends=e, updated_at=now) for w, (s, e) in week.items())
    record(
        session,
        actor,
        ENTITY,
        None,
        "week_changed",
        data={
            "old": {str(w): list(p) for w, p in old.items()},
            "new": {str(w): list(p) for w, p in week.items()},
        },
    )
    await session.flush()
    return week


def _clean(data: DayInput) -> DayInput:
    if data.day is None:
        raise InvalidInput("Enter a date.", field="day")
    if not FIRST_YEAR <= data.day.year <= LAST_YEAR:
        raise InvalidInput(
            "The date must be between %(a)d and %(b)d.", a=FIRST_YEAR, b=LAST_YEAR, field="day"
        )
    try:
        kind = CalendarDayKind(data.kind)
    except ValueError:
        raise InvalidInput("Choose what kind of day it is.", field="kind") from None
    note = " ".join((data.note or "").split())
    if len(note) > NOTE_LIMIT:
        raise InvalidInput("The note is at most %(n)d characters.", n=NOTE_LIMIT, field="note")
    pair = _hours(data.starts, data.ends)
    if pair is not None and kind not in HOURS_KINDS:
        raise InvalidInput("Hours are set only for a working or a shortened day.", field="starts")
    return DayInput(data.day, kind.value, note, *(pair or (None, None)))


def _snapshot(row: CalendarDay) -> dict[str, str | None]:
    return {
        "day": row.day.isoformat(),
        "kind": row.kind,
        "note": row.note,
        "starts": row.starts,
        "ends": row.ends,
    }


async def _taken(session: AsyncSession, day: date, except_id: int | None) -> bool:
    found = await session.scalar(select(CalendarDay.id).where(CalendarDay.day == day))
    return found is not None and found != except_id


async def get_day(session: AsyncSession, day_id: int) -> CalendarDay:
    row = await session.get(CalendarDay, day_id)
    if row is None:
        raise NotFound("No such calendar day.")
    return row


async def save_day(session: AsyncSession, actor: Actor, day_id: int | None, data: DayInput) -> CalendarDay:
    """Add a dated row (``day_id`` None) or change one; one row per date."""
    await require_admin(session, actor)
    clean = _clean(data)
    assert clean.day is not None
    if await _taken(session, clean.day, day_id):
        raise InvalidInput("This date is already in the calendar: edit its row.", field="day")
    if day_id is None:
        row = CalendarDay(day=clean.day, kind=clean.kind, created_by_id=actor.user_id)
        session.add(row)
        old = None
    else:
        row = await get_day(session, day_id)
        old = _snapshot(row)
    row.day, row.kind, row.note, row.starts, row.ends = (
        clean.day,
        clean.kind,
        clean.note,
        clean.starts,
        clean.ends,
    )
    await session.flush()
    record(
        session,
        actor,
        ENTITY,
        row.id,
        "day_added" if old is None else "day_changed",
        new_state=row.kind,
        old_state=old["kind"] if old else None,
        data={"old": old, "new": _snapshot(row)},
    )
    await session.flush()
    return row


async def delete_day(session: AsyncSession, actor: Actor, day_id: int) -> None:
    await require_admin(session, actor)
    row = await get_day(session, day_id)
    record(session, actor, ENTITY, row.id, "day_deleted", old_state=row.kind, data={"old": _snapshot(row)})
    await session.delete(row)
    await session.flush()


async def list_days(session: AsyncSession, year: int | None = None) -> Sequence[CalendarDay]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return (await session.scalars(query)).all()


def _minutes(hours: tuple[time, time] | None) -> int:
    if hours is None:
        return 0
    return max((hours[1].hour * 60 + hours[1].minute) - (hours[0].hour * 60 + hours[0].minute), 0)


def year_of(calendar: WorkCalendar, year: int) -> YearView:
    """Every day of ``year`` with its DayInfo, and the working days and hours of each month."""
    months = []
    for month in range(1, 13):
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        days = tuple(calendar.info(first + timedelta(days=i)) for i in range((following - first).days))
        working = [d for d in days if d.working]
        minutes = sum(_minutes(d.hours) for d in working)
        norm = sum(7 if d.reason == CalendarDayKind.SHORT.value else 8 for d in working)
        months.append(MonthView(month, days, len(working), minutes, norm))
    return YearView(year, tuple(months))


async def year_view(session: AsyncSession, tz: ZoneInfo, year: int) -> YearView:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            "The date must be between %(a)d and %(b)d.", a=FIRST_YEAR, b=LAST_YEAR, field="year"
        )
    return year_of(await store.load(session, tz), year)
