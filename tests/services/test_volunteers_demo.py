"""The volunteers' demo data goes through the services: volunteers in every status, done shifts with
hours at the past events, invitations to the upcoming ones."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Volunteer, VolunteerShift, utcnow
from models.enums import VolunteerShiftStatus
from porucheno.demo_volunteers import seed_volunteers
from services.audit import Actor
from services.volunteers import hours
from tests.volunteers_support import CTX, make_event, make_staff


async def test_demo_volunteers(session: AsyncSession) -> None:
    manager = await make_staff(session)
    now = utcnow()
    events = [
        await make_event(session, "Лекция", now - timedelta(days=20)),
        await make_event(session, "Ночь музеев", now - timedelta(days=6)),
        await make_event(session, "Концерт", now + timedelta(days=5)),
    ]
    await seed_volunteers(session, Actor(user_id=manager.id), CTX.tz, now, event_ids=[e.id for e in events])
    statuses = dict(
        (await session.execute(select(Volunteer.status, func.count()).group_by(Volunteer.status))).all()
    )
    assert statuses == {"active": 3, "paused": 1, "candidate": 1}
    done = (
        await session.scalars(
            select(VolunteerShift).where(VolunteerShift.status == VolunteerShiftStatus.DONE)
        )
    ).all()
    assert len(done) == 5  # and one no-show
    # Two-hour events: 2 + 2.5 + 2 at the lecture, 3 + 2 at the night (the third one did not come).
    assert sum(h.total for h in (await hours.of_everyone(session, CTX.tz, now)).values()) == 11.5
    upcoming = (
        await session.scalars(select(VolunteerShift).where(VolunteerShift.event_id == events[2].id))
    ).all()
    assert {s.status for s in upcoming} == {VolunteerShiftStatus.ASSIGNED} and len(upcoming) == 2
