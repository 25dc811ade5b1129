"""Decisions on applications and what follows them.

``decide`` is the one way an application is decided: by a manager in the panel (types without a
council) and by the council helper after a vote (``meeting_id`` given). The decision is written,
audited and sent to the applicant in the channel the application came from. NEEDS_MORE lets the
applicant add information (``add_information``), which returns the application to review.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Application,
    ApplicationReview,
    ApplicationType,
    CouncilAgendaItem,
    CouncilMeeting,
    RegistryEntry,
    StoredFile,
    User,
    utcnow,
)
from models.enums import ApplicationDecision, ApplicationStatus, MeetingStatus
from services.applications import notices, registry
from services.applications.access import can_decide, type_of
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_, NoticeContext

TEXT_MAX = 4000
ADDITION_MAX = 4000
DECIDABLE_BY_MANAGER = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED)
HEADS = {
    ApplicationDecision.APPROVED: N_("Your application is approved"),
    ApplicationDecision.REJECTED: N_("Your application is rejected"),
    ApplicationDecision.NEEDS_MORE: N_("More information is needed for your application"),
}


async def _load(session: AsyncSession, application_id: int) -> Application:
    application = await session.get(Application, application_id)
    if application is None:
        raise NotFound("Application not found.")
    return application


async def decide(
    session: AsyncSession,
    application_id: int,
    decision: str,
    text: str,
    *,
    actor: User,
    meeting_id: int | None = None,
    ctx: NoticeContext | None = None,
) -> Application:
    """Decide an application and tell the applicant.

    Without ``meeting_id``: a manager decides a type without a council, once it is in review or
    reviewed. With it: the council helper records its meeting's decision on an application it put
    ON_COUNCIL (the helper checks who may close its meeting). Approval of a ``to_registry`` type
    adds the registry entry. Returns the application; the caller commits.
    """
    try:
        chosen = ApplicationDecision(decision)
    except ValueError:
        raise InvalidInput("Choose a decision from the list.") from None
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise InvalidInput("The text is too long (at most %(limit)s characters).", limit=TEXT_MAX)
    if chosen == ApplicationDecision.NEEDS_MORE and not text:
        raise InvalidInput("Say what information is needed.")
    if not actor.is_active:
        raise PermissionDenied("Only a manager may decide applications.")
    application = await _load(session, application_id)
    kind = await type_of(session, application)
    if meeting_id is None:
        if not can_decide(actor):
            raise PermissionDenied("Only a manager may decide applications.")
        if kind.needs_council:
            raise InvalidInput("Applications of this type are decided by the expert council.")
        if application.status not in DECIDABLE_BY_MANAGER:
            raise InvalidInput("The application cannot be decided in its current status.")
    elif application.status != ApplicationStatus.ON_COUNCIL:
        raise InvalidInput("The application is not on the council's agenda.")
    old = application.status
    now = utcnow()
    application.decision, application.decision_text = chosen.value, text or None
    application.decided_at, application.decided_by_id, application.updated_at = now, actor.id, now
    application.status = {
        ApplicationDecision.APPROVED: ApplicationStatus.APPROVED,
        ApplicationDecision.REJECTED: ApplicationStatus.REJECTED,
        ApplicationDecision.NEEDS_MORE: ApplicationStatus.NEEDS_MORE,
    }[chosen]
    who = Actor(user_id=actor.id)
    event = record(
        session,
        who,
        "application",
        application.id,
        "decided",
        old_state=old,
        new_state=application.status,
        data={"decision": chosen.value, "text": text, "meeting_id": meeting_id},
    )
    await session.flush()
    ctx = ctx or NoticeContext()
    entry: RegistryEntry | None = None
    if chosen == ApplicationDecision.APPROVED and kind.to_registry:
        # A council's decision is dated by its meeting (the protocol's date), though the secretary may
        # record it days later; a manager's decision by the day it is made.
        meeting = await session.get(CouncilMeeting, meeting_id) if meeting_id is not None else None
        held = meeting.held_at if meeting is not None and meeting.held_at <= now else now
        entry = await registry.add_approved(
            session, application, actor=who, today=ctx.local(held).date(), meeting_id=meeting_id
        )
    channel = await notices.tell_applicant(
        session,
        ctx,
        application,
        kind,
        event=f"decided{event.id}",
        head=HEADS[chosen],
        body=text,
        note=N_("Registry number: %(number)s") if entry is not None else None,
        more_button=chosen == ApplicationDecision.NEEDS_MORE,
        params={"number": entry.number} if entry is not None else None,
    )
    if channel is None:
        # A paper application without contacts: the clerk passes the decision on by hand.
        record(session, who, "application", application.id, "decision_not_sent", reason="no contacts")
    return application


def council_ready() -> ColumnElement[bool]:
    """The one rule for what a council meeting's agenda may take now: an application of a council type
    that is REVIEWED, or ON_COUNCIL while on no planned meeting's agenda (a row left so by an older
    version, which put applications «on the council» without a meeting). Used by
    ``queries.ready_for_council``, ``council.agenda.eligible`` and ``mark_on_council`` alike."""
    on_planned = (
        select(CouncilAgendaItem.id)
        .join(CouncilMeeting, CouncilMeeting.id == CouncilAgendaItem.meeting_id)
        .where(
            CouncilAgendaItem.application_id == Application.id,
            CouncilMeeting.status == MeetingStatus.PLANNED,
        )
        .exists()
    )
    return and_(
        Application.type_id.in_(select(ApplicationType.id).where(ApplicationType.needs_council.is_(True))),
        or_(
            Application.status == ApplicationStatus.REVIEWED,
            and_(Application.status == ApplicationStatus.ON_COUNCIL, ~on_planned),
        ),
    )


async def mark_on_council(
    session: AsyncSession, application_id: int, *, actor: User, meeting_id: int
) -> Application:
    """The application is on the agenda of the planned meeting ``meeting_id`` (called by the council
    helper right after it adds the agenda item). An application is ON_COUNCIL only while it is on a
    meeting's agenda: without that item this refuses, and leaving the agenda returns it to REVIEWED."""
    application = await _load(session, application_id)
    kind = await type_of(session, application)
    if not kind.needs_council:
        raise InvalidInput("Applications of this type are not decided by the council.")
    item = await session.scalar(
        select(CouncilAgendaItem.id)
        .join(CouncilMeeting, CouncilMeeting.id == CouncilAgendaItem.meeting_id)
        .where(
            CouncilAgendaItem.application_id == application.id,
            CouncilAgendaItem.meeting_id == meeting_id,
            CouncilMeeting.status == MeetingStatus.PLANNED,
        )
    )
    if item is None:
        raise InvalidInput("The application is not on the council's agenda.")
    if application.status not in (ApplicationStatus.REVIEWED, ApplicationStatus.ON_COUNCIL):
        raise InvalidInput("Only a reviewed application can go to the council.")
    old = application.status
    application.status, application.updated_at = ApplicationStatus.ON_COUNCIL, utcnow()
    record(
        session,
        Actor(user_id=actor.id),
        "application",
        application.id,
        "on_council",
        old_state=old,
        new_state=ApplicationStatus.ON_COUNCIL,
        data={"meeting_id": meeting_id},
    )
    return application


async def load_asking(session: AsyncSession, application_id: int, *, telegram_id: int) -> Application:
    """The applicant's own application waiting for more information (checked on the button's press
    and again when the addition is sent)."""
    application = await session.get(Application, application_id)
    if application is None or application.telegram_id != telegram_id:
        raise NotFound("Application not found.")
    if application.status != ApplicationStatus.NEEDS_MORE:
        raise InvalidInput("Nothing was asked for this application now.")
    return application


async def add_information(
    session: AsyncSession,
    application_id: int,
    text: str,
    *,
    telegram_id: int,
    file_ids: Sequence[int] = (),
    ctx: NoticeContext | None = None,
) -> Application:
    """The applicant adds what was asked for (NEEDS_MORE): the text is appended to the application,
    files join its form answer, and it returns to review with the reviewers told."""
    application = await load_asking(session, application_id, telegram_id=telegram_id)
    text = (text or "").strip()
    if not text and not file_ids:
        raise InvalidInput("Write what you add, or send files.")
    if len(text) > ADDITION_MAX:
        raise InvalidInput("The text is too long (at most %(limit)s characters).", limit=ADDITION_MAX)
    now = utcnow()
    stamp = now.strftime("%d.%m.%Y")
    if text:
        application.summary = f"{application.summary}\n\n[+ {stamp}] {text}".strip()
    if file_ids and application.submission_id is not None:
        await session.execute(
            update(StoredFile)
            .where(StoredFile.id.in_(list(file_ids)), StoredFile.uploaded_by_telegram_id == telegram_id)
            .values(form_submission_id=application.submission_id)
        )
    # Reviewers look again: their reviews stay (editable) but count as pending until re-sent.
    await session.execute(
        update(ApplicationReview)
        .where(ApplicationReview.application_id == application.id)
        .values(submitted_at=None)
    )
    application.status, application.updated_at = ApplicationStatus.IN_REVIEW, now
    event = record(
        session,
        Actor(telegram_id=telegram_id),
        "application",
        application.id,
        "information_added",
        old_state=ApplicationStatus.NEEDS_MORE,
        new_state=ApplicationStatus.IN_REVIEW,
        data={"text": text, "file_ids": list(file_ids)},
    )
    await session.flush()
    kind = await type_of(session, application)
    await notices.tell_reviewers(
        session,
        ctx or NoticeContext(),
        application,
        kind,
        event=f"added{event.id}",
        head=N_("The applicant added information: please review again"),
    )
    return application
