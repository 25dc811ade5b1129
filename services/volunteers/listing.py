"""The base as the panel lists it: filters by status, skill and availability; hours beside each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, Volunteer
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
