"""Attendance, quorum, votes, deciding the agenda's items and closing a meeting.

The rules (also in the README):

* **Quorum**: more than half of the meeting's members are marked present. Without it no item is
  decided and the meeting cannot be closed. Attendance is fixed once an item is decided.
* **Who votes**: each member present votes for themselves in the panel (for / against / abstain);
  nobody votes for anyone else. A vote may be changed until the item is decided.
* **Counting** (by the secretary or another organiser, item by item): among the members present,
  more than half voting «for» → APPROVED. Otherwise, as many «for» as «against» (at least one each)
  → a tie: the chair's vote decides (the chair «for» → APPROVED, else REJECTED). Otherwise → REJECTED.
  Members present who did not vote count as not «for».
* **Needs more**: instead of counting, the secretary may record the council's proposal to ask the
  applicant for more (its text is required); the votes cast are still shown in the protocol.
* **Closing**: every item decided and the quorum held → the meeting is HELD and each item's decision
  is applied to its application (``outcome.apply_decision``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CouncilAgendaItem, CouncilMeeting, CouncilMember, CouncilVote
from models.base import utcnow
from models.enums import ApplicationDecision, MeetingStatus, Vote
from services import audit
from services.audit import Actor
from services.council.agenda import items
from services.council.meetings import get_meeting, organiser, require_planned
from services.council.outcome import apply_decision
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_, NoticeContext, Translator

NOTE_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Tally:
    votes_for: int
    against: int
    abstain: int
    not_voted: int


def has_quorum(total: int, present: int) -> bool:
    return present * 2 > total


async def attendance(session: AsyncSession, meeting_id: int) -> tuple[int, int]:
    """(members, present)."""
    rows = list(
        await session.scalars(select(CouncilMember.present).where(CouncilMember.meeting_id == meeting_id))
    )
    return len(rows), sum(1 for p in rows if p)


async def _require_quorum(session: AsyncSession, meeting: CouncilMeeting) -> None:
    total, present = await attendance(session, meeting.id)
    if not has_quorum(total, present):
        raise InvalidInput(
            N_("No quorum: %(present)d of %(total)d members present, more than half are needed."),
            present=present,
            total=total,
        )


async def set_attendance(session: AsyncSession, actor: Actor, meeting_id: int, present_ids: set[int]) -> None:
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    if any(i.decision for i in await items(session, meeting.id)):
        raise InvalidInput(N_("Attendance is fixed once an item is decided."))
    members = list(await session.scalars(select(CouncilMember).where(CouncilMember.meeting_id == meeting.id)))
    for member in members:
        member.present = member.user_id in present_ids
    absent = [m.user_id for m in members if not m.present]
    item_ids = [i.id for i in await items(session, meeting.id)]
    if absent and item_ids:  # one who left takes no vote with them
        await session.execute(
            delete(CouncilVote).where(CouncilVote.item_id.in_(item_ids), CouncilVote.user_id.in_(absent))
        )
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "attendance",
        data={"present": sorted(m.user_id for m in members if m.present)},
    )


async def _item_of(session: AsyncSession, meeting: CouncilMeeting, item_id: int) -> CouncilAgendaItem:
    item = await session.get(CouncilAgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(N_("No such agenda item."))
    return item


async def cast_vote(
    session: AsyncSession, actor: Actor, meeting_id: int, item_id: int, vote: str
) -> CouncilVote:
    """The acting member's own vote on an item (a new one or a changed one)."""
    if vote not in set(Vote):
        raise InvalidInput(N_("Choose for, against or abstain."))
    meeting = await get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.PLANNED:
        raise InvalidInput(N_("The meeting is closed: votes are no longer taken."))
    item = await _item_of(session, meeting, item_id)
    if item.decision:
        raise InvalidInput(N_("This item is already decided: votes are no longer taken."))
    member = (
        await session.scalar(
            select(CouncilMember).where(
                CouncilMember.meeting_id == meeting.id, CouncilMember.user_id == actor.user_id
            )
        )
        if actor.user_id
        else None
    )
    if member is None:
        raise PermissionDenied(N_("Only the meeting's members vote."))
    if not member.present:
        raise PermissionDenied(N_("Only members marked present vote."))
    row = await session.scalar(
        select(CouncilVote).where(CouncilVote.item_id == item.id, CouncilVote.user_id == member.user_id)
    )
    old = row.vote if row else None
    if row is None:
        row = CouncilVote(item_id=item.id, user_id=member.user_id, vote=vote)
        session.add(row)
    row.vote, row.cast_at = vote, utcnow()
    await session.flush()
    audit.record(session, actor, "council_item", item.id, "vote", old_state=old, new_state=vote)
    return row


async def votes(session: AsyncSession, item_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(CouncilVote.user_id, CouncilVote.vote).where(CouncilVote.item_id == item_id)
    )
    return {uid: v for uid, v in rows}


async def tally(session: AsyncSession, item: CouncilAgendaItem) -> Tally:
    present = set(
        await session.scalars(
            select(CouncilMember.user_id).where(
                CouncilMember.meeting_id == item.meeting_id, CouncilMember.present.is_(True)
            )
        )
    )
    cast = {uid: v for uid, v in (await votes(session, item.id)).items() if uid in present}
    values = list(cast.values())
    return Tally(
        values.count(Vote.FOR),
        values.count(Vote.AGAINST),
        values.count(Vote.ABSTAIN),
        len(present) - len(cast),
    )


def counted_decision(t: Tally, present: int, chair_vote: str | None) -> ApplicationDecision:
    """The rule of the module's docstring, as a pure function (the protocol shows its inputs)."""
    if t.votes_for * 2 > present:
        return ApplicationDecision.APPROVED
    if t.votes_for == t.against > 0:
        return ApplicationDecision.APPROVED if chair_vote == Vote.FOR else ApplicationDecision.REJECTED
    return ApplicationDecision.REJECTED


async def decide_item(
    session: AsyncSession, actor: Actor, meeting_id: int, item_id: int, *, needs_more: str | None = None
) -> CouncilAgendaItem:
    """Count the item's votes (or record the proposal to ask for more) and fix its decision."""
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    item = await _item_of(session, meeting, item_id)
    if item.decision:
        raise InvalidInput(N_("This item is already decided."))
    await _require_quorum(session, meeting)
    counted = await tally(session, item)
    if needs_more is not None:
        note = needs_more.strip()
        if not note or len(note) > NOTE_LIMIT:
            raise InvalidInput(
                N_("Write what the applicant is asked for (up to %(n)d characters)."), n=NOTE_LIMIT
            )
        item.decision, item.decision_note = ApplicationDecision.NEEDS_MORE, note
    else:
        _total, present = await attendance(session, meeting.id)
        chair_vote = (await votes(session, item.id)).get(meeting.chair_id) if meeting.chair_id else None
        item.decision = counted_decision(counted, present, chair_vote)
        tie = counted.votes_for == counted.against > 0 and counted.votes_for * 2 <= present
        item.decision_note = "chair" if tie else ""  # the protocol says the chair's vote decided
    audit.record(
        session,
        actor,
        "council_item",
        item.id,
        "decide",
        new_state=item.decision,
        data={"for": counted.votes_for, "against": counted.against, "abstain": counted.abstain},
    )
    return item


async def close_meeting(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    locale: str = "ru",
    ctx: NoticeContext | None = None,
) -> CouncilMeeting:
    """The meeting is held: every item's decision goes to its application."""
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    await _require_quorum(session, meeting)
    agenda = await items(session, meeting.id)
    if not agenda:
        raise InvalidInput(N_("The agenda is empty: there is nothing to close."))
    if any(not i.decision for i in agenda):
        raise InvalidInput(N_("Decide every item of the agenda before closing the meeting."))
    meeting.status, meeting.closed_at = MeetingStatus.HELD, utcnow()
    t = Translator(locale)
    for item in agenda:
        text = decision_text(t, meeting, item)
        await apply_decision(
            session,
            item.application_id,
            item.decision or "",
            text,
            actor=actor,
            meeting_id=meeting.id,
            ctx=ctx,
        )
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "close",
        old_state=MeetingStatus.PLANNED,
        new_state=MeetingStatus.HELD,
    )
    return meeting


def decision_text(t: Translator, meeting: CouncilMeeting, item: CouncilAgendaItem) -> str:
    """What the applicant reads: the council's decision with its protocol's number."""
    if item.decision == ApplicationDecision.APPROVED:
        base = t(
            "The expert council approved the application (protocol № %(number)s).", number=meeting.number
        )
    elif item.decision == ApplicationDecision.NEEDS_MORE:
        base = t(
            "The expert council asks for more information (protocol № %(number)s).", number=meeting.number
        )
    else:
        base = t(
            "The expert council rejected the application (protocol № %(number)s).", number=meeting.number
        )
    note = item.decision_note if item.decision == ApplicationDecision.NEEDS_MORE else ""
    return f"{base} {note}".strip()
