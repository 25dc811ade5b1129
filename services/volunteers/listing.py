"""The base as the panel lists it: filters by status, skill and availability; hours beside each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, MuseumEvent, Volunteer, VolunteerShift
from models.enums import VolunteerShiftStatus
from services.volunteers import hours
from services.volunteers.vocabulary import DAYS, PARTS, slots_of


@dataclass(frozen=True, slots=True)
class Filter:
    status: str | None = None
    skill: str | None = None  # matched case-insensitively against each skill
    day: str | None = None  # one of DAYS
    part: str | None = None  # one of PARTS


@dataclass(frozen=True, slots=True)
class Row:
    volunteer: Volunteer
    name: str
    hours: hours.Hours


def _available(volunteer: Volunteer, day: str | None, part: str | None) -> bool:
    slots = slots_of(volunteer.availability)
    return any((day is None or d == day) and (part is None or p == part) for d, p in slots)


async def rows(session: AsyncSession, flt: Filter, tz: ZoneInfo, now: datetime) -> list[Row]:
    query = select(Volunteer, Correspondent.name).join(
        Correspondent, Correspondent.id == Volunteer.correspondent_id
    )
    if flt.status:
        query = query.where(Volunteer.status == flt.status)
    found = (await session.execute(query.order_by(Correspondent.name, Volunteer.id))).all()
    day = flt.day if flt.day in DAYS else None
    part = flt.part if flt.part in PARTS else None
    skill = (flt.skill or "").strip().casefold()
    sums = await hours.of_everyone(session, tz, now)
    return [
        Row(v, name, sums.get(v.id, hours.Hours()))
        for v, name in found
        if (not skill or any(skill == s.casefold() for s in v.skills or []))
        and (not (day or part) or _available(v, day, part))
    ]


async def all_skills(session: AsyncSession) -> list[str]:
    skills: dict[str, str] = {}
    for found in await session.scalars(select(Volunteer.skills)):
        for skill in found or []:
            skills.setdefault(skill.casefold(), skill)
    return sorted(skills.values(), key=str.casefold)


@dataclass(frozen=True, slots=True)
class EventRow:
    event: MuseumEvent
    shifts: int  # volunteers on it (declined ones left out)


async def events_around(
    session: AsyncSession,
    now: datetime,
    *,
    back: timedelta = timedelta(days=31),
    ahead: timedelta = timedelta(days=92),
) -> list[EventRow]:
    """Events to staff or to mark hours for: the last month's and the next three months'."""
    counts = (
        select(VolunteerShift.event_id, func.count().label("n"))
        .where(VolunteerShift.status != VolunteerShiftStatus.DECLINED)
        .group_by(VolunteerShift.event_id)
        .subquery()
    )
    rows = await session.execute(
        select(MuseumEvent, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.event_id == MuseumEvent.id)
        .where(
            MuseumEvent.starts_at >= now - back,
            MuseumEvent.starts_at < now + ahead,
            MuseumEvent.cancelled_at.is_(None),
        )
        .order_by(MuseumEvent.starts_at)
        .limit(100)
    )
    return [EventRow(e, int(n)) for e, n in rows.all()]


async def event_shifts(session: AsyncSession, event_id: int) -> list[tuple[VolunteerShift, str]]:
    """The event's shifts with the volunteers' names."""
    rows = await session.execute(
        select(VolunteerShift, Correspondent.name)
        .join(Volunteer, Volunteer.id == VolunteerShift.volunteer_id)
        .join(Correspondent, Correspondent.id == Volunteer.correspondent_id)
        .where(VolunteerShift.event_id == event_id)
        .order_by(VolunteerShift.starts_at, Correspondent.name)
    )
    return [(s, n) for s, n in rows.all()]
