"""The demo town's museum, seeded by ``seed_demo`` with everything else: events with a waiting list,
forms of every purpose, volunteers with hours, saved segments, a sent mailing, applications at
several stages, a held council meeting with its registry entries on the public list."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Application,
    CouncilMeeting,
    EventRegistration,
    Form,
    Mailing,
    MuseumEvent,
    RegistryEntry,
    Segment,
    Volunteer,
)
from models.enums import FormPurpose, MeetingStatus, RegistrationStatus
from porucheno.demo_seed import seed_demo
from services.council import registry


async def test_demo_museum_is_seeded(session: AsyncSession) -> None:
    assert await seed_demo(session)
    assert await session.scalar(select(func.count(MuseumEvent.id))) >= 3
    waiting = await session.scalar(
        select(func.count(EventRegistration.id)).where(
            EventRegistration.status == RegistrationStatus.WAITLIST
        )
    )
    assert waiting and waiting > 0
    purposes = Counter((await session.scalars(select(Form.purpose))).all())
    for purpose in (FormPurpose.GENERAL, FormPurpose.SUBSCRIPTION, FormPurpose.VOLUNTEER, FormPurpose.EVENT):
        assert purposes[purpose] >= 1, purpose
    assert await session.scalar(select(func.count(Volunteer.id))) >= 3
    assert await session.scalar(select(func.count(Segment.id))) >= 3
    assert await session.scalar(select(func.count(Mailing.id))) >= 1
    assert await session.scalar(select(func.count(Application.id))) >= 3
    held = await session.scalar(select(CouncilMeeting).where(CouncilMeeting.status == MeetingStatus.HELD))
    assert held is not None
    entries = await session.scalar(select(func.count(RegistryEntry.id)).where(RegistryEntry.published))
    assert entries and entries >= 2
    assert (await registry.search(session)).total == entries
