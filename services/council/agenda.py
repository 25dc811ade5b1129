"""A meeting's agenda: applications put on it in order, moved, removed while it is planned.

An application may go on the agenda when it is of a type the council decides (``needs_council``)
and every reviewer has sent a review (REVIEWED) — the one rule ``applications.decisions.council_ready``,
which ``mark_on_council`` also keeps; never when it is already on another planned meeting's agenda.
An application is ON_COUNCIL only while it is on a planned meeting's agenda: leaving it (removed,
meeting cancelled) returns it to REVIEWED, and one found ON_COUNCIL on no agenda may be placed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationReview, ApplicationType, CouncilAgendaItem, CouncilMeeting
from models.enums import ApplicationStatus, MeetingStatus
from services import audit
from services.applications.queries import ready_for_council
from services.audit import Actor
from services.council.meetings import get_meeting, organiser, require_planned
from services.council.outcome import mark_on_council
from services.errors import InvalidInput, NotFound
from services.notify import N_


@dataclass(frozen=True, slots=True)
class AgendaRow:
    item: CouncilAgendaItem
    application: Application
    average: float | None  # the reviewers' average total score
    reviews: int
    score_max: int


async def eligible(session: AsyncSession) -> list[Application]:
    """Applications that may be put on an agenda now: ``decisions.council_ready`` — reviewed ones of a
    council type, and ones left ON_COUNCIL on no planned meeting's agenda (so they can be placed)."""
    return await ready_for_council(session)


async def add_item(
    session: AsyncSession, actor: Actor, meeting_id: int, application_id: int
) -> CouncilAgendaItem:
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    application = await session.get(Application, application_id)
    if application is None:
        raise NotFound(N_("No such application."))
    if application.id not in {a.id for a in await eligible(session)}:
        raise InvalidInput(
            N_(
                "This application cannot go on the agenda: it is not reviewed, already decided "
                "or on another meeting's agenda."
            )
        )
    last = await session.scalar(
        select(func.max(CouncilAgendaItem.position)).where(CouncilAgendaItem.meeting_id == meeting.id)
    )
    item = CouncilAgendaItem(meeting_id=meeting.id, application_id=application.id, position=(last or 0) + 1)
    session.add(item)
    await session.flush()
    await mark_on_council(session, application.id, actor=actor, meeting_id=meeting.id)
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "agenda_add",
        data={"application_id": application.id, "position": item.position},
    )
    return item


async def _item(session: AsyncSession, meeting: CouncilMeeting, item_id: int) -> CouncilAgendaItem:
    item = await session.get(CouncilAgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(N_("No such agenda item."))
    return item


async def items(session: AsyncSession, meeting_id: int) -> list[CouncilAgendaItem]:
    rows = await session.scalars(
        select(CouncilAgendaItem)
        .where(CouncilAgendaItem.meeting_id == meeting_id)
        .order_by(CouncilAgendaItem.position, CouncilAgendaItem.id)
    )
    return list(rows)


async def move_item(session: AsyncSession, actor: Actor, meeting_id: int, item_id: int, step: int) -> None:
    """Move an item one place up (``step`` −1) or down (+1); the positions are renumbered 1..n."""
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    item = await _item(session, meeting, item_id)
    ordered = await items(session, meeting.id)
    i = ordered.index(item)
    j = max(0, min(len(ordered) - 1, i + (1 if step > 0 else -1)))
    ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, row in enumerate(ordered, start=1):
        row.position = position
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "agenda_move",
        data={"application_id": item.application_id, "position": item.position},
    )


async def _release(session: AsyncSession, actor: Actor, application_id: int) -> None:
    """Off the agenda: back to the reviewed applications, to wait for another meeting."""
    application = await session.get(Application, application_id)
    if application is not None and application.status == ApplicationStatus.ON_COUNCIL:
        application.status = ApplicationStatus.REVIEWED
        audit.record(
            session,
            actor,
            "application",
            application.id,
            "off_council",
            old_state=ApplicationStatus.ON_COUNCIL,
            new_state=ApplicationStatus.REVIEWED,
        )


async def remove_item(session: AsyncSession, actor: Actor, meeting_id: int, item_id: int) -> None:
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    item = await _item(session, meeting, item_id)
    await _release(session, actor, item.application_id)
    await session.delete(item)
    await session.flush()
    for position, row in enumerate(await items(session, meeting.id), start=1):
        row.position = position
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "agenda_remove",
        data={"application_id": item.application_id},
    )


async def release_all(session: AsyncSession, actor: Actor, meeting: CouncilMeeting) -> None:
    for item in await items(session, meeting.id):
        await _release(session, actor, item.application_id)


async def agenda_rows(session: AsyncSession, meeting_id: int) -> list[AgendaRow]:
    """The agenda with each application and its reviewers' average total score (submitted reviews)."""
    result: list[AgendaRow] = []
    for item in await items(session, meeting_id):
        application = await session.get(Application, item.application_id)
        assert application is not None  # the item cascades with it
        kind = await session.get(ApplicationType, application.type_id)
        totals = list(
            await session.scalars(
                select(ApplicationReview.total).where(
                    ApplicationReview.application_id == application.id,
                    ApplicationReview.submitted_at.is_not(None),
                    ApplicationReview.total.is_not(None),
                )
            )
        )
        average = round(sum(totals) / len(totals), 2) if totals else None
        result.append(AgendaRow(item, application, average, len(totals), kind.score_max if kind else 10))
    return result


async def cancel_meeting(session: AsyncSession, actor: Actor, meeting_id: int) -> CouncilMeeting:
    """A planned meeting is cancelled; its applications leave the agenda and wait for another one."""
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    await release_all(session, actor, meeting)
    meeting.status = MeetingStatus.CANCELLED
    audit.record(
        session,
        actor,
        "council_meeting",
        meeting.id,
        "cancel",
        old_state=MeetingStatus.PLANNED,
        new_state=MeetingStatus.CANCELLED,
    )
    return meeting
