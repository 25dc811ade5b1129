"""Creating, editing and cancelling events in the panel: audited; more seats promote the waiting
list, a cancellation tells everyone registered or waiting."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EventRegistration, MuseumEvent, User, utcnow
from models.enums import RegistrationStatus
from services import audit
from services.errors import InvalidInput
from services.events import notices, registration
from services.events.events import EventInput, apply_input, check_manager, state_of, validated
from services.notify import N_, NoticeContext


async def create_event(session: AsyncSession, user: User, data: EventInput) -> MuseumEvent:
    check_manager(user)
    event = MuseumEvent(created_by_id=user.id, cancelled_at=None)
    apply_input(event, validated(data))
    session.add(event)
    await session.flush()
    audit.record(
        session, audit.Actor(user_id=user.id), "museum_event", event.id, "created", data=state_of(event)
    )
    return event


async def update_event(
    session: AsyncSession, user: User, event_id: int, data: EventInput, ctx: NoticeContext | None = None
) -> MuseumEvent:
    """Edit an event; more seats promote people from the waiting list (and tell them)."""
    check_manager(user)
    event = await registration.lock_event(session, event_id)
    if event.cancelled_at is not None:
        raise InvalidInput(N_("The event is cancelled; it cannot be edited."))
    before = state_of(event)
    apply_input(event, validated(data))
    audit.record(
        session,
        audit.Actor(user_id=user.id),
        "museum_event",
        event.id,
        "updated",
        data={"before": before, "after": state_of(event)},
    )
    await session.flush()
    await registration.fill_free_seats(
        session, event, actor=audit.Actor(user_id=user.id), ctx=ctx, why=notices.SEATS_ADDED
    )
    return event


async def cancel_event(
    session: AsyncSession, user: User, event_id: int, ctx: NoticeContext | None = None
) -> MuseumEvent:
    """Cancel the event: registration closes and everyone registered or waiting is told."""
    check_manager(user)
    event = await registration.lock_event(session, event_id)
    if event.cancelled_at is not None:
        return event
    event.cancelled_at = utcnow()
    event.registration_open = False
    audit.record(
        session,
        audit.Actor(user_id=user.id),
        "museum_event",
        event.id,
        "cancelled",
        old_state="active",
        new_state="cancelled",
    )
    await session.flush()
    rows = await session.scalars(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.status != RegistrationStatus.CANCELLED
        )
    )
    for row in rows.all():
        await notices.send(session, event, row, notices.EVENT_CANCELLED, ctx=ctx)
    return event
