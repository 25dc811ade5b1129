"""Events themselves: create, edit and cancel in the panel (audited), and the lists people see.

Times are stored in UTC; the panel converts the local wall-clock time it is typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EventRegistration, MuseumEvent, User, utcnow
from models.enums import RegistrationStatus
from services.audience.access import can_manage
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_

TITLE_MAX = 255
PLACE_MAX = 255
PROGRAMME_MAX = 128
DESCRIPTION_MAX = 4000
CAPACITY_MAX = 100_000
REMIND_HOURS_MAX = 24 * 14


@dataclass(frozen=True, slots=True)
class EventInput:
    title: str
    starts_at: datetime  # aware
    ends_at: datetime | None = None
    description: str = ""
    programme: str | None = None
    place: str = ""
    capacity: int | None = None  # None: unlimited
    registration_open: bool = True
    remind_hours: int = 24


@dataclass(frozen=True, slots=True)
class EventCounts:
    registered: int = 0  # seats taken
    waiting: int = 0  # people on the waiting list
    attended: int = 0
    missed: int = 0


def check_manager(user: User | None) -> None:
    if not can_manage(user):
        raise PermissionDenied(N_("Only managers and clerks work with events."))


def validated(data: EventInput) -> EventInput:
    title = data.title.strip()
    if not title:
        raise InvalidInput(N_("The event needs a title."))
    if len(title) > TITLE_MAX or len(data.place) > PLACE_MAX or len(data.description) > DESCRIPTION_MAX:
        raise InvalidInput(N_("The title, place or description is too long."))
    if data.programme is not None and len(data.programme) > PROGRAMME_MAX:
        raise InvalidInput(N_("The programme name is too long."))
    if data.starts_at.tzinfo is None:
        raise InvalidInput(N_("The start time has no time zone."))
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise InvalidInput(N_("The event must end after it starts."))
    if data.capacity is not None and not 0 < data.capacity <= CAPACITY_MAX:
        raise InvalidInput(N_("The number of seats must be between 1 and %(max)s."), max=CAPACITY_MAX)
    if not 0 <= data.remind_hours <= REMIND_HOURS_MAX:
        raise InvalidInput(
            N_("The reminder must be between 0 and %(max)s hours before."), max=REMIND_HOURS_MAX
        )
    return data


def state_of(event: MuseumEvent) -> dict[str, object]:
    return {
        "title": event.title,
        "programme": event.programme,
        "place": event.place,
        "starts_at": event.starts_at.isoformat() if event.starts_at else None,
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "capacity": event.capacity,
        "registration_open": event.registration_open,
        "remind_hours": event.remind_hours,
    }


def apply_input(event: MuseumEvent, data: EventInput) -> None:
    event.title = data.title.strip()
    event.description = data.description.strip()
    event.programme = (data.programme or "").strip() or None
    event.place = data.place.strip()
    event.starts_at = data.starts_at
    event.ends_at = data.ends_at
    event.capacity = data.capacity
    event.registration_open = data.registration_open
    event.remind_hours = data.remind_hours


async def get_event(session: AsyncSession, event_id: int, *, lock: bool = False) -> MuseumEvent:
    """The event; ``lock`` takes its row lock on PostgreSQL (``FOR UPDATE``) for seat counting."""
    stmt = select(MuseumEvent).where(MuseumEvent.id == event_id)
    if lock:
        stmt = stmt.with_for_update()
    event = (await session.scalars(stmt)).first()
    if event is None:
        raise NotFound(N_("No such event."))
    return event


async def seats_taken(session: AsyncSession, event_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(EventRegistration.seats), 0)).where(
            EventRegistration.event_id == event_id, EventRegistration.status == RegistrationStatus.REGISTERED
        )
    )
    return int(total or 0)


def free_seats(event: MuseumEvent, taken: int) -> int | None:
    """Free seats, or None for an event without a limit."""
    return None if event.capacity is None else max(event.capacity - taken, 0)


async def counts(session: AsyncSession, event_ids: list[int]) -> dict[int, EventCounts]:
    if not event_ids:
        return {}
    reg = EventRegistration
    registered = reg.status == RegistrationStatus.REGISTERED
    rows = await session.execute(
        select(
            reg.event_id,
            func.coalesce(func.sum(case((registered, reg.seats), else_=0)), 0),
            func.sum(case((reg.status == RegistrationStatus.WAITLIST, 1), else_=0)),
            func.sum(case((registered & (reg.attended.is_(True)), 1), else_=0)),
            func.sum(case((registered & (reg.attended.is_(False)), 1), else_=0)),
        )
        .where(reg.event_id.in_(event_ids))
        .group_by(reg.event_id)
    )
    result = {i: EventCounts() for i in event_ids}
    for event_id, seats, waiting, came, missed in rows:
        result[event_id] = EventCounts(int(seats or 0), int(waiting or 0), int(came or 0), int(missed or 0))
    return result


async def list_events(
    session: AsyncSession, *, past: bool, now: datetime | None = None, limit: int = 200
) -> list[MuseumEvent]:
    """Upcoming (soonest first) or past (latest first) events, cancelled ones included."""
    now = now or utcnow()
    stmt = select(MuseumEvent)
    if past:
        stmt = stmt.where(MuseumEvent.starts_at < now).order_by(MuseumEvent.starts_at.desc())
    else:
        stmt = stmt.where(MuseumEvent.starts_at >= now).order_by(MuseumEvent.starts_at)
    return list((await session.scalars(stmt.limit(limit))).all())


async def open_events(
    session: AsyncSession, *, now: datetime | None = None, limit: int = 20
) -> list[MuseumEvent]:
    """What the bot offers: upcoming, not cancelled, registration open."""
    now = now or utcnow()
    stmt = (
        select(MuseumEvent)
        .where(
            MuseumEvent.starts_at > now,
            MuseumEvent.cancelled_at.is_(None),
            MuseumEvent.registration_open.is_(True),
        )
        .order_by(MuseumEvent.starts_at)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())
