"""Registration for an event: capacity, the waiting list, confirmations, cancelling, promotion and
attendance.

Seats are counted under a lock on the event, so two people taking the last seat at once cannot both
get it: ``SELECT … FOR UPDATE`` on the event row on PostgreSQL; on SQLite a no-op write on that row
first takes the database's single writer lock. The waiting list is served in the order people joined
it (``created_at``, then id), never skipping the first for a smaller party behind them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import EventRegistration, MuseumEvent, TelegramAccount, User, utcnow
from models.enums import RegistrationStatus
from services import audit
from services.audit import Actor
from services.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from services.events import notices
from services.events.events import check_manager, free_seats, get_event, seats_taken
from services.notify import N_, NoticeContext

SEATS_MAX = 10  # one registration brings at most this many people (a family)


async def lock_event(session: AsyncSession, event_id: int) -> MuseumEvent:
    """The event, locked against concurrent seat counting until the transaction ends."""
    if session.bind.dialect.name != "postgresql":
        # SQLite: take the writer lock before counting, so the count cannot go stale before the insert.
        await session.execute(update(MuseumEvent).where(MuseumEvent.id == event_id).values(id=MuseumEvent.id))
    return await get_event(session, event_id, lock=True)


def refusal(event: MuseumEvent, now: datetime) -> DomainError | None:
    """Why nobody can register now, or None."""
    if event.cancelled_at is not None:
        return DomainError(N_("The event is cancelled."))
    if event.starts_at <= now:
        return DomainError(N_("The event has already started; registration is over."))
    if not event.registration_open:
        return DomainError(N_("Registration for this event is closed."))
    return None


async def register(
    session: AsyncSession,
    *,
    event_id: int,
    correspondent_id: int,
    actor: Actor,
    telegram_id: int | None = None,
    email: str | None = None,
    submission_id: int | None = None,
    seats: int = 1,
    locale: str | None = None,
    ctx: NoticeContext | None = None,
    now: datetime | None = None,
) -> EventRegistration:
    """Register a person (a seat, or the waiting list when full); the confirmation is queued.

    Contract used by ``services.forms`` for forms of purpose ``event``. A repeated registration of
    the same person returns the existing row. Raises ``DomainError`` when registration is closed.

    ``ctx``: the time zone and default language of the messages — pass
    ``NoticeContext.from_settings(settings)``; without it they are Europe/Moscow and Russian.
    ``now``: the moment of registering (the demo's past registrations).
    A person who cancelled and registers again gets the same row back in the queue anew.
    """
    now = now or utcnow()
    if not 1 <= seats <= SEATS_MAX:
        raise InvalidInput(N_("One registration is for 1 to %(max)s people."), max=SEATS_MAX)
    event = await lock_event(session, event_id)
    existing = (
        await session.scalars(
            select(EventRegistration).where(
                EventRegistration.event_id == event_id, EventRegistration.correspondent_id == correspondent_id
            )
        )
    ).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return existing
    if (reason := refusal(event, now)) is not None:
        raise reason
    if event.capacity is not None and seats > event.capacity:
        raise InvalidInput(N_("The event has only %(max)s seats."), max=event.capacity)
    free = free_seats(event, await seats_taken(session, event_id))
    # Nobody jumps the queue: with people waiting, a newcomer waits too even if a seat is free.
    queue = await _waiting(session, event_id)
    status = (
        RegistrationStatus.REGISTERED
        if free is None or (free >= seats and not queue)
        else RegistrationStatus.WAITLIST
    )
    row = existing or EventRegistration(event_id=event_id, correspondent_id=correspondent_id)
    row.status = status
    row.seats = seats
    row.created_at = now
    row.telegram_id = telegram_id if telegram_id is not None else row.telegram_id
    row.email = (email or "").strip()[:255] or row.email
    row.submission_id = submission_id if submission_id is not None else row.submission_id
    row.promoted_at = row.cancelled_at = row.reminded_at = None
    row.attended = None
    if existing is None:
        session.add(row)
    await session.flush()
    audit.record(
        session,
        actor,
        "event_registration",
        row.id,
        "registered",
        new_state=status,
        data={"event_id": event_id, "seats": seats},
    )
    kind = notices.REGISTERED if status == RegistrationStatus.REGISTERED else notices.WAITLISTED
    await notices.send(session, event, row, kind, ctx=ctx, locale=locale)
    return row


async def _waiting(session: AsyncSession, event_id: int) -> list[EventRegistration]:
    rows = await session.scalars(
        select(EventRegistration)
        .where(
            EventRegistration.event_id == event_id, EventRegistration.status == RegistrationStatus.WAITLIST
        )
        .order_by(EventRegistration.created_at, EventRegistration.id)
    )
    return list(rows.all())


async def _promote(
    session: AsyncSession,
    event: MuseumEvent,
    row: EventRegistration,
    actor: Actor,
    ctx: NoticeContext | None,
    *,
    why: str,
) -> None:
    """To a seat from the waiting list; ``why`` is the notice that says how (``notices.PROMOTED``: a
    cancellation freed it, ``SEATS_ADDED``, ``SEAT_GIVEN``: a clerk's decision)."""
    row.status = RegistrationStatus.REGISTERED
    row.promoted_at = utcnow()
    audit.record(
        session,
        actor,
        "event_registration",
        row.id,
        "promoted",
        old_state=RegistrationStatus.WAITLIST,
        new_state=RegistrationStatus.REGISTERED,
        data={"event_id": event.id, "manual": why == notices.SEAT_GIVEN},
    )
    await session.flush()
    await notices.send(session, event, row, why, ctx=ctx)


async def fill_free_seats(
    session: AsyncSession,
    event: MuseumEvent,
    *,
    actor: Actor,
    ctx: NoticeContext | None = None,
    why: str = notices.PROMOTED,
) -> list[EventRegistration]:
    """Give free seats to the waiting list in order (the event already locked by the caller); ``why``
    names the notice: a cancellation freed them (``notices.PROMOTED``) or the event got more
    (``notices.SEATS_ADDED``)."""
    if event.cancelled_at is not None or event.starts_at <= utcnow():
        return []
    promoted: list[EventRegistration] = []
    free = free_seats(event, await seats_taken(session, event.id))
    for row in await _waiting(session, event.id):
        if free is not None and free < row.seats:
            break
        await _promote(session, event, row, actor, ctx, why=why)
        promoted.append(row)
        if free is not None:
            free -= row.seats
    return promoted


async def _load(session: AsyncSession, registration_id: int) -> tuple[EventRegistration, MuseumEvent]:
    row = await session.get(EventRegistration, registration_id)
    if row is None:
        raise NotFound(N_("No such registration."))
    event = await lock_event(session, row.event_id)
    await session.refresh(row)
    return row, event


async def _cancel(
    session: AsyncSession, row: EventRegistration, event: MuseumEvent, actor: Actor, ctx: NoticeContext | None
) -> EventRegistration:
    if row.status == RegistrationStatus.CANCELLED:
        return row  # a repeated press: nothing more to do
    if event.cancelled_at is None and event.starts_at <= utcnow():
        raise DomainError(N_("The event has already started; the registration can no longer be cancelled."))
    old = row.status
    row.status = RegistrationStatus.CANCELLED
    row.cancelled_at = utcnow()
    audit.record(
        session, actor, "event_registration", row.id, "cancelled", old_state=old, new_state=row.status
    )
    await session.flush()
    await notices.send(session, event, row, notices.REGISTRATION_CANCELLED, ctx=ctx)
    if old == RegistrationStatus.REGISTERED:
        await fill_free_seats(session, event, actor=actor, ctx=ctx)
    return row


async def owns(session: AsyncSession, row: EventRegistration, telegram_id: int) -> bool:
    """The registration is this Telegram user's: made from this chat, or on the card it is linked to."""
    if row.telegram_id == telegram_id:
        return True
    account = await session.get(TelegramAccount, telegram_id)
    return account is not None and account.correspondent_id == row.correspondent_id


async def cancel_by_person(
    session: AsyncSession, registration_id: int, telegram_id: int, ctx: NoticeContext | None = None
) -> EventRegistration:
    row, event = await _load(session, registration_id)
    if not await owns(session, row, telegram_id):
        raise PermissionDenied(N_("This is not your registration."))
    return await _cancel(session, row, event, Actor(telegram_id=telegram_id), ctx)


async def cancel_by_clerk(
    session: AsyncSession, user: User, registration_id: int, ctx: NoticeContext | None = None
) -> EventRegistration:
    check_manager(user)
    row, event = await _load(session, registration_id)
    return await _cancel(session, row, event, Actor(user_id=user.id), ctx)


async def promote_manually(
    session: AsyncSession, user: User, registration_id: int, ctx: NoticeContext | None = None
) -> EventRegistration:
    """A clerk gives a waiting person a seat, over the capacity if need be (their decision)."""
    check_manager(user)
    row, event = await _load(session, registration_id)
    if row.status != RegistrationStatus.WAITLIST:
        raise DomainError(N_("This person is not on the waiting list."))
    if event.cancelled_at is not None:
        raise DomainError(N_("The event is cancelled."))
    await _promote(session, event, row, Actor(user_id=user.id), ctx, why=notices.SEAT_GIVEN)
    return row


async def mark_attendance(
    session: AsyncSession, user: User, registration_id: int, attended: bool | None
) -> EventRegistration:
    """Came (True), did not come (False) or not marked (None); only for people with a seat."""
    check_manager(user)
    row = await session.get(EventRegistration, registration_id)
    if row is None:
        raise NotFound(N_("No such registration."))
    if row.status != RegistrationStatus.REGISTERED:
        raise DomainError(N_("Attendance is marked only for people with a seat."))
    if row.attended is not attended:
        audit.record(
            session,
            Actor(user_id=user.id),
            "event_registration",
            row.id,
            "attendance",
            old_state=str(row.attended),
            new_state=str(attended),
        )
        row.attended = attended
        row.attendance_marked_by_id = user.id
        await session.flush()
    return row


async def mark_all(session: AsyncSession, user: User, event_id: int, attended: bool) -> int:
    """Mark everyone with a seat not marked yet; the number marked."""
    check_manager(user)
    await get_event(session, event_id)
    rows = await session.scalars(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id,
            EventRegistration.status == RegistrationStatus.REGISTERED,
            EventRegistration.attended.is_(None),
        )
    )
    marked = 0
    for row in rows.all():
        await mark_attendance(session, user, row.id, attended)
        marked += 1
    return marked


async def registrations_of_event(session: AsyncSession, event_id: int) -> list[EventRegistration]:
    rows = await session.scalars(
        select(EventRegistration)
        .where(EventRegistration.event_id == event_id)
        .order_by(EventRegistration.created_at, EventRegistration.id)
    )
    return list(rows.all())
