"""Hours volunteered: counted from done shifts only, dated by the shift's start in local time.

Small numbers (a museum's volunteers, a few shifts a month each), so the sums are made in Python over
the done shifts: local years and months come out right on every database without date functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, Volunteer, VolunteerShift
from models.enums import VolunteerShiftStatus


@dataclass
class Hours:
    total: float = 0.0
    this_year: float = 0.0
    shifts: int = 0
    by_month: dict[str, float] = field(default_factory=dict)  # "2026-03" → hours, newest first


@dataclass(frozen=True, slots=True)
class ReportRow:
    volunteer_id: int
    name: str
    shifts: int
    hours: float


async def _done(session: AsyncSession, *conditions) -> list[tuple[int, datetime, float]]:  # type: ignore[no-untyped-def]
    rows = await session.execute(
        select(VolunteerShift.volunteer_id, VolunteerShift.starts_at, VolunteerShift.hours).where(
            VolunteerShift.status == VolunteerShiftStatus.DONE, VolunteerShift.hours.is_not(None), *conditions
        )
    )
    return [(v, s, float(h)) for v, s, h in rows.all()]


def _sum(rows: Iterable[tuple[int, datetime, float]], tz: ZoneInfo, now: datetime) -> dict[int, Hours]:
    year = now.astimezone(tz).year
    found: dict[int, Hours] = defaultdict(Hours)
    for volunteer_id, starts_at, hours in rows:
        local = starts_at.astimezone(tz)
        item = found[volunteer_id]
        item.total += hours
        item.shifts += 1
        if local.year == year:
            item.this_year += hours
        month = f"{local:%Y-%m}"
        item.by_month[month] = item.by_month.get(month, 0.0) + hours
    for item in found.values():
        item.total, item.this_year = round(item.total, 2), round(item.this_year, 2)
        item.by_month = {m: round(h, 2) for m, h in sorted(item.by_month.items(), reverse=True)}
    return found


async def of_volunteer(session: AsyncSession, volunteer_id: int, tz: ZoneInfo, now: datetime) -> Hours:
    return _sum(await _done(session, VolunteerShift.volunteer_id == volunteer_id), tz, now).get(
        volunteer_id, Hours()
    )


async def of_everyone(session: AsyncSession, tz: ZoneInfo, now: datetime) -> dict[int, Hours]:
    return _sum(await _done(session), tz, now)


async def of_event(session: AsyncSession, event_id: int) -> float:
    return round(sum(h for _v, _s, h in await _done(session, VolunteerShift.event_id == event_id)), 2)


async def report(session: AsyncSession, start: datetime, end: datetime) -> list[ReportRow]:
    """Per volunteer over ``[start, end)`` (UTC, by the shift's start): done shifts and hours, most first."""
    rows = await session.execute(
        select(Volunteer.id, Correspondent.name, VolunteerShift.hours)
        .join(VolunteerShift, VolunteerShift.volunteer_id == Volunteer.id)
        .join(Correspondent, Correspondent.id == Volunteer.correspondent_id)
        .where(
            VolunteerShift.status == VolunteerShiftStatus.DONE,
            VolunteerShift.hours.is_not(None),
            VolunteerShift.starts_at >= start,
            VolunteerShift.starts_at < end,
        )
    )
    sums: dict[int, list] = {}
    for volunteer_id, name, hours in rows.all():
        item = sums.setdefault(volunteer_id, [name, 0, 0.0])
        item[1] += 1
        item[2] += float(hours)
    result = [ReportRow(v, name, n, round(h, 2)) for v, (name, n, h) in sums.items()]
    return sorted(result, key=lambda r: (-r.hours, r.name.casefold()))
