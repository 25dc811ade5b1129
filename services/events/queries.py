"""Plain queries over events and registrations for other areas (segments, the CRM card).

Segments filter by ``EventRegistration.attended`` and ``MuseumEvent.programme`` directly; these
helpers show the joins: a registration belongs to a card (``correspondent_id``) and an event.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EventRegistration, MuseumEvent
from models.enums import RegistrationStatus


def attendees(*, event_id: int | None = None, programme: str | None = None) -> Select[tuple[int]]:
    """Card ids of the people who came (to one event, or to any event of a programme)."""
    stmt = (
        select(EventRegistration.correspondent_id)
        .join(MuseumEvent, MuseumEvent.id == EventRegistration.event_id)
        .where(
            EventRegistration.attended.is_(True), EventRegistration.status == RegistrationStatus.REGISTERED
        )
        .distinct()
    )
    if event_id is not None:
        stmt = stmt.where(EventRegistration.event_id == event_id)
    if programme is not None:
        stmt = stmt.where(MuseumEvent.programme == programme)
    return stmt


async def attendee_ids(
    session: AsyncSession, *, event_id: int | None = None, programme: str | None = None
) -> set[int]:
    return set((await session.scalars(attendees(event_id=event_id, programme=programme))).all())


async def programmes(session: AsyncSession) -> list[str]:
    """Programme names in use, for a segment filter's choices."""
    rows = await session.scalars(
        select(MuseumEvent.programme)
        .where(MuseumEvent.programme.is_not(None))
        .distinct()
        .order_by(MuseumEvent.programme)
    )
    return [p for p in rows.all() if p]


async def of_correspondent(
    session: AsyncSession, correspondent_id: int
) -> list[tuple[EventRegistration, MuseumEvent]]:
    """A person's registrations with their events, latest event first (the CRM card)."""
    rows = await session.execute(
        select(EventRegistration, MuseumEvent)
        .join(MuseumEvent, MuseumEvent.id == EventRegistration.event_id)
        .where(EventRegistration.correspondent_id == correspondent_id)
        .order_by(MuseumEvent.starts_at.desc())
    )
    return [(r, e) for r, e in rows.all()]
