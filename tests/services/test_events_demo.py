"""The demo's events go through the services: a tour full with three waiting, a past lecture with
its attendance, and the programme's attendees findable for a segment."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from models import MuseumEvent, utcnow
from porucheno.demo_events import CHILDREN, seed_events
from services.audit import Actor
from services.events.events import counts
from services.events.queries import attendee_ids


async def test_demo_events(session_factory) -> None:
    async with session_factory() as session:
        ids = await seed_events(session, Actor.system("demo"), ZoneInfo("Europe/Moscow"), utcnow())
        await session.commit()
    async with session_factory() as session:
        got = await counts(session, ids)
        lecture, tour, past = (got[i] for i in ids)
        assert (lecture.registered, tour.registered, tour.waiting) == (5, 15, 3)
        assert (past.attended, past.missed) == (6, 2)
        assert len(await attendee_ids(session, programme=CHILDREN)) == 6
        assert (await session.get(MuseumEvent, ids[1])).capacity == 15
