"""Shifts: a volunteer assigned to an event, their answer in the bot, and staff marking the outcome.

Rules kept here for the bot and the panel alike: only active volunteers are assigned; a volunteer's
shifts never overlap (declined ones and no-shows do not count); the volunteer answers only their own
shift, only while it is open and not started; hours are 0 < h ≤ 24, by default the shift's length.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import MuseumEvent, User, Volunteer, VolunteerShift, utcnow
from models.enums import VolunteerShiftStatus, VolunteerStatus
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.volunteers import notices
from services.volunteers.base import actor_of, load, of_telegram, require_manager

S = VolunteerShiftStatus
DEFAULT_SHIFT = timedelta(hours=2)  # an event without an end
MAX_SHIFT = timedelta(hours=24)
ROLE_MAX = 255
MAX_HOURS = 24.0
OPEN = (S.ASSIGNED, S.CONFIRMED)
# Shifts that hold the volunteer's time: a new one may not overlap them.
BUSY = (S.ASSIGNED, S.CONFIRMED, S.DONE)


async def load_event(session: AsyncSession, event_id: int) -> MuseumEvent:
    event = await session.get(MuseumEvent, event_id) if 0 < event_id < 2**63 else None
    if event is None:
        raise NotFound("Event not found.")
    return event


def event_end(event: MuseumEvent) -> datetime:
    return (
        event.ends_at
        if event.ends_at is not None and event.ends_at > event.starts_at
        else event.starts_at + DEFAULT_SHIFT
    )


async def load_shift(session: AsyncSession, shift_id: int) -> VolunteerShift:
    shift = await session.get(VolunteerShift, shift_id) if 0 < shift_id < 2**63 else None
    if shift is None:
        raise NotFound("Shift not found.")
    return shift


async def overlapping(
    session: AsyncSession,
    volunteer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    *,
    besides: int | None = None,
) -> VolunteerShift | None:
    """A shift of the volunteer's that holds any of ``[starts_at, ends_at)``."""
    query = select(VolunteerShift).where(
        VolunteerShift.volunteer_id == volunteer_id,
        VolunteerShift.status.in_(BUSY),
        VolunteerShift.starts_at < ends_at,
        VolunteerShift.ends_at > starts_at,
    )
    if besides is not None:
        query = query.where(VolunteerShift.id != besides)
    return await session.scalar(query.limit(1))


async def assign(
    session: AsyncSession,
    user: User | None,
    *,
    volunteer_id: int,
    event_id: int,
    role: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    ctx: NoticeContext,
) -> VolunteerShift:
    """Put an active volunteer on an event; the volunteer is asked in the bot to confirm.

    The time defaults to the event's. A volunteer who declined this event before may be asked again
    (the same row: one shift per volunteer and event)."""
    staff = require_manager(user)
    volunteer = await load(session, volunteer_id)
    event = await load_event(session, event_id)
    if event.cancelled_at is not None:
        raise InvalidInput("The event is cancelled.")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise InvalidInput("Only active volunteers are assigned to events.")
    role = " ".join(role.split())
    if len(role) > ROLE_MAX:
        raise InvalidInput("The role is too long: at most %(n)s characters.", n=ROLE_MAX, field="role")
    start = starts_at or event.starts_at
    end = ends_at or (event_end(event) if starts_at is None else start + (event_end(event) - event.starts_at))
    if end <= start:
        raise InvalidInput("A shift must end after it starts.", field="ends_at")
    if end - start > MAX_SHIFT:
        raise InvalidInput("A shift is at most 24 hours long.", field="ends_at")
    existing = await session.scalar(
        select(VolunteerShift).where(
            VolunteerShift.volunteer_id == volunteer.id, VolunteerShift.event_id == event.id
        )
    )
    if existing is not None and existing.status != S.DECLINED:
        raise InvalidInput("This volunteer is already on this event.")
    clash = await overlapping(session, volunteer.id, start, end, besides=existing.id if existing else None)
    if clash is not None:
        other = await session.get(MuseumEvent, clash.event_id)
        raise InvalidInput(
            "The volunteer is already booked at that time: %(event)s.", event=other.title if other else "—"
        )
    now = utcnow()
    shift = existing or VolunteerShift(volunteer_id=volunteer.id, event_id=event.id, created_at=now)
    old = shift.status if existing else None
    shift.role, shift.starts_at, shift.ends_at = role, start, end
    shift.status, shift.hours, shift.assigned_by_id, shift.updated_at = S.ASSIGNED, None, staff.id, now
    session.add(shift)
    await session.flush()
    record(
        session,
        actor_of(staff),
        "volunteer_shift",
        shift.id,
        "assigned",
        old_state=old,
        new_state=S.ASSIGNED,
        data={"volunteer_id": volunteer.id, "event_id": event.id, "role": role},
    )
    await notices.shift_assigned(session, volunteer, shift, event, ctx=ctx)
    return shift


async def respond(
    session: AsyncSession, telegram_id: int, shift_id: int, *, confirm: bool, ctx: NoticeContext
) -> tuple[VolunteerShift, MuseumEvent]:
    """The volunteer's «I will come» / «I can't» in the bot. Never trusts the press: the shift is
    reloaded, must be the sender's own (a foreign one reads as «not found») and still open."""
    volunteer = await of_telegram(session, telegram_id)
    shift = await session.get(VolunteerShift, shift_id) if 0 < shift_id < 2**63 else None
    if volunteer is None or shift is None or shift.volunteer_id != volunteer.id:
        raise NotFound("Shift not found.")
    event = await load_event(session, shift.event_id)
    wanted = S.CONFIRMED if confirm else S.DECLINED
    if shift.status == wanted:
        raise InvalidInput("You have already answered this invitation.")
    if shift.status not in OPEN:
        raise InvalidInput("This invitation is no longer open.")
    if shift.starts_at <= utcnow():
        raise InvalidInput("This shift has already started.")
    if volunteer.status != VolunteerStatus.ACTIVE and confirm:
        raise PermissionDenied("Your volunteering is not active now.")
    old = shift.status
    shift.status, shift.updated_at = wanted, utcnow()
    action = "confirmed" if confirm else "declined"
    record(
        session,
        Actor(telegram_id=telegram_id),
        "volunteer_shift",
        shift.id,
        action,
        old_state=old,
        new_state=wanted,
    )
    if not confirm:
        await notices.shift_declined(session, volunteer, shift, event, ctx=ctx)
    await session.flush()
    return shift, event


def shift_hours(shift: VolunteerShift) -> float:
    return round((shift.ends_at - shift.starts_at).total_seconds() / 3600, 2)


async def mark_done(
    session: AsyncSession,
    user: User | None,
    shift_id: int,
    *,
    hours: float | None = None,
    now: datetime | None = None,
) -> VolunteerShift:
    """Worked: hours count (by default the shift's length). On a done shift this corrects the hours."""
    staff = require_manager(user)
    shift = await load_shift(session, shift_id)
    if shift.status not in (*OPEN, S.DONE, S.NO_SHOW):
        raise InvalidInput("A declined shift cannot be marked.")
    if shift.starts_at > (now or utcnow()):
        raise InvalidInput("The shift has not started yet.")
    value = shift_hours(shift) if hours is None else round(float(hours), 2)
    if not 0 < value <= MAX_HOURS:
        raise InvalidInput("Hours must be more than 0 and at most 24.", field="hours")
    old, old_hours = shift.status, shift.hours
    shift.status, shift.hours, shift.updated_at = S.DONE, value, utcnow()
    data = {"hours": value, "old_hours": old_hours}
    record(
        session,
        actor_of(staff),
        "volunteer_shift",
        shift.id,
        "done",
        old_state=old,
        new_state=S.DONE,
        data=data,
    )
    await session.flush()
    return shift


async def mark_no_show(
    session: AsyncSession, user: User | None, shift_id: int, *, now: datetime | None = None
) -> VolunteerShift:
    staff = require_manager(user)
    shift = await load_shift(session, shift_id)
    if shift.status not in (*OPEN, S.DONE):
        raise InvalidInput("This shift cannot be marked as a no-show.")
    if shift.starts_at > (now or utcnow()):
        raise InvalidInput("The shift has not started yet.")
    old = shift.status
    shift.status, shift.hours, shift.updated_at = S.NO_SHOW, None, utcnow()
    record(
        session, actor_of(staff), "volunteer_shift", shift.id, "no_show", old_state=old, new_state=S.NO_SHOW
    )
    await session.flush()
    return shift


async def shifts_of(session: AsyncSession, volunteer_id: int) -> list[tuple[VolunteerShift, MuseumEvent]]:
    rows = await session.execute(
        select(VolunteerShift, MuseumEvent)
        .join(MuseumEvent, MuseumEvent.id == VolunteerShift.event_id)
        .where(VolunteerShift.volunteer_id == volunteer_id)
        .order_by(VolunteerShift.starts_at.desc())
    )
    return [(s, e) for s, e in rows.all()]


async def upcoming_of(
    session: AsyncSession, volunteer: Volunteer, now: datetime
) -> list[tuple[VolunteerShift, MuseumEvent]]:
    rows = await session.execute(
        select(VolunteerShift, MuseumEvent)
        .join(MuseumEvent, MuseumEvent.id == VolunteerShift.event_id)
        .where(
            VolunteerShift.volunteer_id == volunteer.id,
            VolunteerShift.status.in_(OPEN),
            VolunteerShift.ends_at > now,
        )
        .order_by(VolunteerShift.starts_at)
        .limit(20)
    )
    return [(s, e) for s, e in rows.all()]
