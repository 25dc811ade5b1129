"""«Find volunteers for this event»: who could come, the least busy this year first.

Active volunteers available on the event's weekday and part of the day (by its start, local time),
not on this event already (whatever their answer) and with no shift overlapping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, MuseumEvent, Volunteer, VolunteerShift
from models.enums import VolunteerStatus
from services.volunteers import hours
from services.volunteers.shifts import BUSY, event_end
from services.volunteers.vocabulary import slot_of, slots_of


@dataclass(frozen=True, slots=True)
class Candidate:
    volunteer: Volunteer
    name: str
    hours_this_year: float


async def for_event(
    session: AsyncSession, event: MuseumEvent, tz: ZoneInfo, now: datetime
) -> list[Candidate]:
    slot = slot_of(event.starts_at.astimezone(tz))
    end = event_end(event)
    taken = select(VolunteerShift.volunteer_id).where(
        (VolunteerShift.event_id == event.id)
        | (
            VolunteerShift.status.in_(BUSY)
            & (VolunteerShift.starts_at < end)
            & (VolunteerShift.ends_at > event.starts_at)
        )
    )
    rows = await session.execute(
        select(Volunteer, Correspondent.name)
        .join(Correspondent, Correspondent.id == Volunteer.correspondent_id)
        .where(Volunteer.status == VolunteerStatus.ACTIVE, Volunteer.id.not_in(taken))
    )
    year = await hours.of_everyone(session, tz, now)
    found = [
        Candidate(v, name, year[v.id].this_year if v.id in year else 0.0)
        for v, name in rows.all()
        if slot in slots_of(v.availability)
    ]
    return sorted(found, key=lambda c: (c.hours_this_year, c.name.casefold(), c.volunteer.id))
