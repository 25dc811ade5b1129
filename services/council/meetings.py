"""Council meetings: created, edited and cancelled by the council's organisers (managers and
administrators), numbered «ЭС-<year>-<seq>», with a chair, a secretary and members from the staff."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CouncilAgendaItem, CouncilMeeting, CouncilMember, User
from models.enums import MeetingStatus, Role
from services import audit
from services.audit import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_

ORGANISER_ROLES = (Role.MANAGER,)  # administrators always pass ``has_role``
PLACE_LIMIT = 255
NOTES_LIMIT = 4000


def can_organise(user: User | None) -> bool:
    """Managers (and administrators) organise meetings and act as their secretaries."""
    return user is not None and user.is_active and user.has_role(*ORGANISER_ROLES)


async def organiser(session: AsyncSession, actor: Actor) -> User:
    """The acting user, reloaded, when they may organise the council; refused otherwise."""
    user = await session.get(User, actor.user_id) if actor.user_id else None
    if not can_organise(user):
        raise PermissionDenied(N_("Only the council's organisers (managers) may do this."))
    assert user is not None
    return user


@dataclass(frozen=True, slots=True)
class MeetingInput:
    held_at: datetime  # UTC
    place: str
    chair_id: int
    secretary_id: int
    member_ids: tuple[int, ...]
    notes: str = ""


async def get_meeting(session: AsyncSession, meeting_id: int) -> CouncilMeeting:
    meeting = await session.get(CouncilMeeting, meeting_id)
    if meeting is None:
        raise NotFound(N_("No such meeting."))
    return meeting


def require_planned(meeting: CouncilMeeting) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise InvalidInput(N_("The meeting is already held or cancelled: it cannot be changed."))


async def _check(session: AsyncSession, data: MeetingInput) -> list[int]:
    if len(data.place) > PLACE_LIMIT or len(data.notes) > NOTES_LIMIT:
        raise InvalidInput(N_("The place or the notes are too long."))
    members = list(dict.fromkeys([data.chair_id, *data.member_ids]))  # the chair is always a member
    wanted = {*members, data.secretary_id}
    found = set(await session.scalars(select(User.id).where(User.id.in_(wanted), User.is_active.is_(True))))
    if found != wanted:
        raise InvalidInput(N_("Choose the chair, the secretary and the members among active staff."))
    if len(members) < 3:
        raise InvalidInput(N_("A council needs at least three members (the chair counts)."))
    return members


def _number_prefix(year: int) -> str:
    return f"ЭС-{year}-"


async def _next_number(session: AsyncSession, year: int) -> str:
    prefix = _number_prefix(year)
    taken = await session.scalars(
        select(CouncilMeeting.number).where(CouncilMeeting.number.like(f"{prefix}%"))
    )
    seqs = [int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()]
    return f"{prefix}{max(seqs, default=0) + 1:02d}"


async def create_meeting(
    session: AsyncSession, actor: Actor, data: MeetingInput, *, tz: tzinfo = UTC
) -> CouncilMeeting:
    """A planned meeting, numbered in the year it is held in the institution's zone ``tz`` (a
    meeting at 01:00 on 1 January in Moscow belongs to the new year, though UTC is still in the
    old one)."""
    await organiser(session, actor)
    members = await _check(session, data)
    meeting = CouncilMeeting(
        number=await _next_number(session, data.held_at.astimezone(tz).year),
        held_at=data.held_at,
        place=data.place,
        chair_id=data.chair_id,
        secretary_id=data.secretary_id,
        notes=data.notes,
        status=MeetingStatus.PLANNED,
    )
    session.add(meeting)
    await session.flush()
    session.add_all(CouncilMember(meeting_id=meeting.id, user_id=uid) for uid in members)
    await session.flush()
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "create",
        new_state=meeting.status,
        data={"number": meeting.number, "members": members},
    )
    return meeting


async def edit_meeting(
    session: AsyncSession, actor: Actor, meeting_id: int, data: MeetingInput, *, tz: tzinfo = UTC
) -> CouncilMeeting:
    """Saves the changes; a meeting moved into another year (in ``tz``, as when it was created) is
    numbered anew in that year, so each year's protocols run «ЭС-<year>-01», «-02»… without gaps
    from another year."""
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    members = await _check(session, data)
    before = await member_ids(session, meeting.id)
    number_before = meeting.number
    year = data.held_at.astimezone(tz).year
    if not meeting.number.startswith(_number_prefix(year)):
        meeting.number = await _next_number(session, year)
    meeting.held_at, meeting.place, meeting.notes = data.held_at, data.place, data.notes
    meeting.chair_id, meeting.secretary_id = data.chair_id, data.secretary_id
    gone = set(before) - set(members)
    if gone:
        await session.execute(
            delete(CouncilMember).where(
                CouncilMember.meeting_id == meeting.id, CouncilMember.user_id.in_(gone)
            )
        )
    session.add_all(CouncilMember(meeting_id=meeting.id, user_id=uid) for uid in members if uid not in before)
    await session.flush()
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "edit",
        data={
            "members_before": before,
            "members": members,
            "held_at": data.held_at.isoformat(),
            **(
                {"number_before": number_before, "number": meeting.number}
                if meeting.number != number_before
                else {}
            ),
        },
    )
    return meeting


async def member_ids(session: AsyncSession, meeting_id: int) -> list[int]:
    rows = await session.scalars(
        select(CouncilMember.user_id).where(CouncilMember.meeting_id == meeting_id).order_by(CouncilMember.id)
    )
    return list(rows)


async def meetings_of(session: AsyncSession, user_id: int) -> set[int]:
    """The meetings a user is invited to as a member."""
    rows = await session.scalars(select(CouncilMember.meeting_id).where(CouncilMember.user_id == user_id))
    return set(rows)


async def members(session: AsyncSession, meeting_id: int) -> list[tuple[CouncilMember, User]]:
    rows = await session.execute(
        select(CouncilMember, User)
        .join(User, User.id == CouncilMember.user_id)
        .where(CouncilMember.meeting_id == meeting_id)
        .order_by(User.full_name, User.id)
    )
    return [(m, u) for m, u in rows]


async def list_meetings(session: AsyncSession, *, limit: int = 200) -> list[tuple[CouncilMeeting, int]]:
    """Meetings, latest first, with their agenda's size."""
    items = (
        select(func.count(CouncilAgendaItem.id))
        .where(CouncilAgendaItem.meeting_id == CouncilMeeting.id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(CouncilMeeting, items)
        .order_by(CouncilMeeting.held_at.desc(), CouncilMeeting.id.desc())
        .limit(limit)
    )
    return [(m, n) for m, n in rows]


async def active_staff(session: AsyncSession, ids: Iterable[int] = ()) -> list[User]:
    """Staff to choose the chair, the secretary and members from (plus ``ids`` even if inactive now)."""
    wanted = list(ids)
    cond = User.is_active.is_(True) | User.id.in_(wanted) if wanted else User.is_active.is_(True)
    return list(await session.scalars(select(User).where(cond).order_by(User.full_name, User.id)))
