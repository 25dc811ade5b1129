"""The appeal after registration: assignments, the single deadline extension, the answer, the
correspondent's rating, rejection and closing.

Status follows the linked assignments (``create_linked_assignment`` calls
``status_sync.sync_status_from_assignments``): registered → in_work once an assignment exists;
"ready to answer" (every linked assignment finished, one done) is derived in ``queries``;
answered / rejected / closed are set here.
Every change writes an audit event and, given a NoticeContext, queues a notice to the correspondent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Assignment, User, utcnow
from models.enums import AppealStatus, Priority, QuestionResult, Role
from services.appeals import answer_letter, attachments, notices, queries, question_queries, registration
from services.appeals.intake import MAX_TEXT_CHARS
from services.appeals.status_sync import as_actor as _as_actor
from services.appeals.status_sync import load, sync_status_from_assignments
from services.assignments import commands
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_, NoticeContext

MAX_EXTENSION_DAYS = 30
REASON_LIMIT = 2_000
OPEN_STATES = frozenset({AppealStatus.REGISTERED, AppealStatus.IN_WORK})
CLOSABLE_STATES = frozenset({AppealStatus.ANSWERED, AppealStatus.REJECTED})
STAFF_ROLES = (Role.CLERK, Role.MANAGER, Role.CONTROLLER)  # administrators always pass


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, telegram_id=user.telegram_id)


def _check_staff(user: User) -> None:
    if not user.is_active or not user.has_role(*STAFF_ROLES):
        raise PermissionDenied("You are not allowed to work with appeals.")


def _reason(reason: str | None, *, required: bool) -> str | None:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput("Please give a reason.")
    if len(reason) > REASON_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=REASON_LIMIT)
    return reason or None


def _require_open(appeal: Appeal) -> None:
    if appeal.status not in OPEN_STATES:
        raise InvalidInput("The appeal is no longer open.")


async def extend_deadline(
    session: AsyncSession,
    appeal_id: int,
    *,
    days: int,
    reason: str,
    actor: Actor | User,
    notify: NoticeContext | None = None,
    now: datetime | None = None,
) -> Appeal:
    """The one extension the law allows (59-FZ art. 12: up to 30 more days, the applicant told)."""
    if isinstance(actor, User):
        _check_staff(actor)
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput("The deadline can be extended by 1 to %(n)d days.", n=MAX_EXTENSION_DAYS)
    reason_text = _reason(reason, required=True)
    appeal = await load(session, appeal_id, for_update=True)
    _require_open(appeal)
    if appeal.extended_at is not None:
        raise InvalidInput("The answer deadline has already been extended once.")
    old_due = appeal.due_at
    ctx = notify or NoticeContext()
    terms = await registration.load_terms(session, ctx.tz, ctx.appeal_term_rule)
    appeal.due_at = registration.answer_deadline(old_due, days, terms)
    appeal.extended_at = now or utcnow()
    appeal.extension_reason = reason_text
    record(
        session,
        _as_actor(actor),
        "appeal",
        appeal.id,
        "deadline_extended",
        reason=reason_text,
        data={"days": days, "old_due_at": old_due.isoformat(), "new_due_at": appeal.due_at.isoformat()},
    )
    await session.flush()
    if notify is not None:
        await notices.notify_correspondent(session, notify, appeal, notices.EXTENDED, reason=reason_text)
    return appeal


@dataclass(frozen=True, slots=True)
class AppealAssignment:
    """An assignment made from an appeal: its title and text default to the appeal's."""

    deadline: datetime
    title: str | None = None
    description: str | None = None
    executor_id: int | None = None
    executor_ids: Sequence[int] = ()  # the executor, then co-executors
    department_id: int | None = None
    controller_id: int | None = None
    observer_ids: Sequence[int] = ()
    priority: str = Priority.NORMAL


async def create_assignment_from_appeal(
    session: AsyncSession,
    appeal_id: int,
    data: AppealAssignment,
    *,
    actor: User,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    """An assignment working on the appeal; ``executor_ids``: the executor, then co-executors.
    The appeal moves to in_work (``create_linked_assignment``)."""
    appeal = await load(session, appeal_id, for_update=True)
    _require_open(appeal)
    ids = list(dict.fromkeys(([data.executor_id] if data.executor_id else []) + list(data.executor_ids)))
    title = data.title
    if title is None or not title.strip():
        lead = (appeal.subject or appeal.text or "").strip().splitlines()
        title = f"{appeal.reg_number}: {lead[0][:200]}" if lead else appeal.reg_number
    new = commands.NewAssignment(
        title=title,
        deadline=data.deadline,
        executor_id=ids[0] if ids else None,
        department_id=data.department_id,
        controller_id=data.controller_id,
        text=appeal.text if data.description is None else data.description,
        priority=data.priority,
        appeal_id=appeal.id,
        co_executor_ids=tuple(ids[1:]),
        observer_ids=tuple(data.observer_ids),
    )
    return await create_linked_assignment(session, actor, new, now=now, notify=notify)


async def create_linked_assignment(
    session: AsyncSession,
    author: User,
    data: commands.NewAssignment,
    *,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    """``commands.create``; when the assignment works on an appeal, the appeal's history records it
    and its status follows (registered → in work). Every path that links a new assignment to an
    appeal comes here (the panel's forms, the bot), so the assignment services need not know appeals."""
    assignment = await commands.create(session, author, data, now=now, notify=notify)
    if data.appeal_id is not None:
        await sync_status_from_assignments(session, data.appeal_id, actor=_actor(author), notify=notify)
        record(
            session,
            _actor(author),
            "appeal",
            data.appeal_id,
            "assignment_created",
            data={"assignment_id": assignment.id},
        )
    return assignment


@dataclass(frozen=True, slots=True)
class OpenAssignment:
    """An assignment on the appeal that is not finished yet, as the answer warning lists it."""

    id: int
    title: str
    status: str
    executor_id: int | None
    executor_name: str | None
    deadline: datetime


class AssignmentsStillOpen(InvalidInput):
    """Answering now would leave work on the appeal unfinished: the clerk must override explicitly."""

    def __init__(self, assignments: Sequence[OpenAssignment]) -> None:
        super().__init__(
            N_("Assignments on this appeal are still open: finish them, or answer anyway with a reason."),
            n=len(assignments),
        )
        self.assignments = list(assignments)


async def open_assignments(session: AsyncSession, appeal_id: int) -> list[OpenAssignment]:
    """Linked assignments not finished (a declined one still waits to be reassigned)."""
    rows = await session.execute(
        select(Assignment, User.full_name)
        .outerjoin(User, User.id == Assignment.executor_id)
        .where(
            Assignment.appeal_id == appeal_id,
            Assignment.status.in_(queries.UNFINISHED_ASSIGNMENT_STATES),
        )
        .order_by(Assignment.id)
    )
    return [
        OpenAssignment(a.id, a.title, a.status, a.executor_id, name, a.deadline) for a, name in rows.all()
    ]


async def answer_appeal(
    session: AsyncSession,
    appeal_id: int,
    *,
    text: str,
    actor: User,
    notify: NoticeContext | None,
    now: datetime | None = None,
    file_ids: Sequence[int] = (),
    override_reason: str | None = None,
    letter: answer_letter.AnswerLetterSpec | None = None,
) -> Appeal:
    """The final answer, delivered through the channel the appeal came by (see ``notices``).

    One rule for every place an appeal is answered: while an assignment on it is open the answer is
    refused (``AssignmentsStillOpen`` lists them) unless ``override_reason`` is given; the override is
    audited with the reason and the open assignments' ids. ``file_ids``: attachments already stored
    by this clerk (see ``attachments.take_answer_files``), sent with the answer. With ``letter`` the
    answer is issued as a letter on the letterhead (its files are the enclosures) and the letter's
    PDF is what goes out (see ``answer_letter``); without it only the text is sent."""
    _check_staff(actor)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("The answer is empty.")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput("The answer is too long: at most %(n)d characters.", n=MAX_TEXT_CHARS)
    override = _reason(override_reason, required=False)
    appeal = await load(session, appeal_id, for_update=True)
    _require_open(appeal)
    still_open = await open_assignments(session, appeal.id)
    if still_open and override is None:
        raise AssignmentsStillOpen(still_open)
    settled = await _settle_questions(session, appeal, actor, now or utcnow())
    files = await attachments.take_answer_files(session, appeal.id, file_ids, uploaded_by=actor.id)
    old = appeal.status
    appeal.status = AppealStatus.ANSWERED
    appeal.answer_text = text
    appeal.answered_at = now or utcnow()
    appeal.answered_by_id = actor.id
    data: dict[str, object] = {"in_time": appeal.answered_at <= appeal.due_at}
    if files:
        data["file_ids"] = [f.id for f in files]
    if settled:
        data["questions_answered"] = settled
    if still_open:
        data["override"] = True
        data["open_assignment_ids"] = [a.id for a in still_open]
    record(
        session,
        _actor(actor),
        "appeal",
        appeal.id,
        "answered",
        old_state=old,
        new_state=AppealStatus.ANSWERED,
        reason=override if still_open else None,
        data=data,
    )
    await session.flush()
    issued = None
    if letter is not None:
        issued = await answer_letter.issue_answer_letter(
            session, appeal, files, letter, actor=actor, now=appeal.answered_at
        )
    if notify is not None:
        await answer_letter.send_answer(session, notify, appeal, issued, now=appeal.answered_at)
    return appeal


async def _settle_questions(session: AsyncSession, appeal: Appeal, actor: User, now: datetime) -> list[int]:
    """Every question of an answered appeal has a result (the ССТУ.РФ report needs one per
    question): those the clerk left undecided become «answered» (ССТУ «Дан ответ автору»), which
    is what happened to them; results the clerk set (supported, explained, ...) stay. Returns their
    positions, recorded with the answer's audit event."""
    settled = await question_queries.unresolved(session, appeal.id)
    for question in settled:
        question.result, question.decided_at, question.decided_by_id = QuestionResult.ANSWERED, now, actor.id
    return [q.position for q in settled]


async def rate_appeal(
    session: AsyncSession, appeal_id: int, *, telegram_id: int, rating: int, now: datetime | None = None
) -> Appeal:
    """The correspondent rates the answer once, 1 to 5, from the buttons under it."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("The rating must be from 1 to 5.")
    appeal = await load(session, appeal_id, for_update=True)
    if await queries.appeal_for_telegram_user(session, appeal.id, telegram_id) is None:
        raise NotFound("Appeal not found.")  # the same answer as for a missing one
    if appeal.answered_at is None:
        raise InvalidInput("The appeal has not been answered yet.")
    if appeal.rating is not None:
        raise InvalidInput("You have already rated this answer.")
    appeal.rating = rating
    appeal.rated_at = now or utcnow()
    record(session, Actor(telegram_id=telegram_id), "appeal", appeal.id, "rated", data={"rating": rating})
    await session.flush()
    return appeal


async def reject_appeal(
    session: AsyncSession,
    appeal_id: int,
    *,
    reason: str,
    actor: User,
    notify: NoticeContext | None = None,
    now: datetime | None = None,
) -> Appeal:
    """Left without an answer on the merits (59-FZ art. 11); the applicant is told why."""
    _check_staff(actor)
    reason_text = _reason(reason, required=True)
    appeal = await load(session, appeal_id, for_update=True)
    _require_open(appeal)
    old = appeal.status
    appeal.status = AppealStatus.REJECTED
    # Kept with the appeal, so status queries (web, Open311) can show the applicant why.
    appeal.answer_text = reason_text
    appeal.answered_by_id = actor.id
    record(
        session,
        _actor(actor),
        "appeal",
        appeal.id,
        "rejected",
        old_state=old,
        new_state=AppealStatus.REJECTED,
        reason=reason_text,
        data={"at": (now or utcnow()).isoformat()},
    )
    await session.flush()
    if notify is not None:
        await notices.notify_correspondent(session, notify, appeal, notices.REJECTED, reason=reason_text)
    return appeal


async def close_appeal(
    session: AsyncSession,
    appeal_id: int,
    *,
    actor: User,
    reason: str | None = None,
    notify: NoticeContext | None = None,
) -> Appeal:
    """Archive an answered or rejected appeal."""
    _check_staff(actor)
    reason_text = _reason(reason, required=False)
    appeal = await load(session, appeal_id, for_update=True)
    if appeal.status not in CLOSABLE_STATES:
        raise InvalidInput("Only an answered or rejected appeal can be closed.")
    old = appeal.status
    appeal.status = AppealStatus.CLOSED
    record(
        session,
        _actor(actor),
        "appeal",
        appeal.id,
        "closed",
        old_state=old,
        new_state=AppealStatus.CLOSED,
        reason=reason_text,
    )
    await session.flush()
    if notify is not None:
        await notices.notify_correspondent(session, notify, appeal, notices.CLOSED)
    return appeal
