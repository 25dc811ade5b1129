"""The questions of an appeal (59-FZ: one appeal may raise several), each coded with the thematic
classifier and decided on its own: supported, not supported, explained, answered, left without an
answer, or transferred (set by the redirection flow). The ССТУ.РФ report goes question by question.

An appeal always holds at least one question: registration creates the first from the appeal's
text and its topic's default code (``create_first``); the last question cannot be removed.

Who may change them: active staff (clerks, managers, controllers; administrators always) whose
scope covers the appeal — re-checked here, whatever the panel showed. While the appeal is open
(not answered) questions are added, removed and decided; once answered, a code or wording may still
be corrected for the report until the appeal is closed, rejected or redirected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealQuestion, Category, User, utcnow
from models.enums import AppealStatus, QuestionResult, Role
from services.appeals import access, classifier
from services.appeals.question_queries import (
    QuestionRow,
    codes_by_appeal,
    of_appeal,
    require_results,
    results_for_export,
    unresolved,
)
from services.appeals.status_sync import as_actor, load
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied

__all__ = [
    "QuestionInput",
    "QuestionRow",
    "ResultInput",
    "add_question",
    "change_question",
    "codes_by_appeal",
    "create_first",
    "mark_transferred",
    "of_appeal",
    "remove_question",
    "require_results",
    "results_for_export",
    "set_result",
    "settle_unresolved",
    "unresolved",
]

TEXT_LIMIT = 2_000
MEASURES_LIMIT = 4_000
MAX_QUESTIONS = 50
FIRST_TEXT_CHARS = 500
STAFF_ROLES = (Role.CLERK, Role.MANAGER, Role.CONTROLLER)  # administrators always pass

# Results a clerk sets by hand; "transferred" comes with a redirection (``mark_transferred``).
CHOOSABLE_RESULTS = tuple(r for r in QuestionResult if r is not QuestionResult.TRANSFERRED)
# Decided (and questions added or removed) while the appeal is being considered.
DECIDABLE_STATES = frozenset({AppealStatus.RECEIVED, AppealStatus.REGISTERED, AppealStatus.IN_WORK})
# After the answer a code or wording may still be corrected for the report, until the appeal ends.
FINAL_STATES = frozenset({AppealStatus.CLOSED, AppealStatus.REJECTED, AppealStatus.REDIRECTED})


@dataclass(frozen=True, slots=True)
class QuestionInput:
    text: str
    classifier_code: str | None = None


@dataclass(frozen=True, slots=True)
class ResultInput:
    result: str | None  # a QuestionResult value; None or "" puts the question back in work
    measures_taken: bool = False
    measures: str | None = None


# --- Checks ---


def _check_staff(user: User) -> None:
    if not user.is_active or not user.has_role(*STAFF_ROLES):
        raise PermissionDenied("You are not allowed to work with appeals.")


async def _appeal_for(session: AsyncSession, user: User, appeal_id: int) -> Appeal:
    _check_staff(user)
    appeal = await load(session, appeal_id, for_update=True)
    if not await access.may_see(session, user, appeal):
        raise NotFound("Appeal not found.")  # as the panel: out of scope looks like absent
    return appeal


def _require_decidable(appeal: Appeal) -> None:
    if appeal.status not in DECIDABLE_STATES:
        raise InvalidInput(
            "The appeal is already answered or closed: its questions can no longer be decided."
        )


def _require_editable(appeal: Appeal) -> None:
    if appeal.status in FINAL_STATES:
        raise InvalidInput("The appeal is closed: its questions can no longer be changed.")


async def _question(session: AsyncSession, user: User, question_id: int) -> tuple[Appeal, AppealQuestion]:
    question = await session.get(AppealQuestion, question_id, populate_existing=True)
    if question is None:
        raise NotFound("Question not found.")
    appeal = await _appeal_for(session, user, question.appeal_id)
    return appeal, question


def _text(value: str | None, limit: int, *, field: str, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput("Describe the question.", field=field)
    if len(text) > limit:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=limit, field=field)
    return text or None


async def _code(session: AsyncSession, code: str | None) -> str | None:
    """A question's code: empty, or an active entry of the last level of the classifier."""
    if not (code or "").strip():
        return None
    entry = await classifier.question_code(session, code.strip() if code else None)
    if entry is None:
        raise InvalidInput(
            "Choose a question (the last level) of the classifier: “%(code)s” is not one.",
            code=(code or "").strip()[:40],
            field="classifier_code",
        )
    return entry.code


# --- Changing ---


async def create_first(
    session: AsyncSession, appeal: Appeal, category: Category | None, *, summary: str
) -> AppealQuestion:
    """The first question of a new appeal: its text's start and the topic's default code (when
    that code is an active question of the loaded classifier). Part of the registration, which is
    audited as a whole."""
    default = category.classifier_code if category is not None else None
    entry = await classifier.question_code(session, default) if default else None
    question = AppealQuestion(
        appeal_id=appeal.id,
        position=1,
        classifier_code=entry.code if entry is not None else None,
        text=(summary or "").strip()[:FIRST_TEXT_CHARS],
    )
    session.add(question)
    await session.flush()
    return question


async def add_question(
    session: AsyncSession, appeal_id: int, data: QuestionInput, *, actor: User
) -> AppealQuestion:
    appeal = await _appeal_for(session, actor, appeal_id)
    _require_decidable(appeal)
    text = _text(data.text, TEXT_LIMIT, field="text", required=True) or ""
    code = await _code(session, data.classifier_code)
    count, last = (
        await session.execute(
            select(func.count(), func.max(AppealQuestion.position)).where(
                AppealQuestion.appeal_id == appeal.id
            )
        )
    ).one()
    if count >= MAX_QUESTIONS:
        raise InvalidInput("An appeal holds at most %(n)d questions.", n=MAX_QUESTIONS)
    question = AppealQuestion(appeal_id=appeal.id, position=(last or 0) + 1, classifier_code=code, text=text)
    session.add(question)
    await session.flush()
    record(
        session,
        as_actor(actor),
        "appeal",
        appeal.id,
        "question_added",
        data={"question_id": question.id, "position": question.position, "code": code},
    )
    return question


async def change_question(
    session: AsyncSession, question_id: int, data: QuestionInput, *, actor: User
) -> AppealQuestion:
    """A new wording or code (also after the answer, to correct the report)."""
    appeal, question = await _question(session, actor, question_id)
    _require_editable(appeal)
    text = _text(data.text, TEXT_LIMIT, field="text", required=True) or ""
    code = data.classifier_code
    # An old code no longer active in the classifier may stay as it is; a new one must be valid.
    if (code or None) != question.classifier_code:
        code = await _code(session, code)
    changes = {
        k: [getattr(question, k), v]
        for k, v in (("text", text), ("classifier_code", code))
        if getattr(question, k) != v
    }
    if changes:
        question.text, question.classifier_code = text, code
        record(
            session,
            as_actor(actor),
            "appeal",
            appeal.id,
            "question_changed",
            data={"question_id": question.id, "position": question.position, "changes": changes},
        )
        await session.flush()
    return question


async def remove_question(session: AsyncSession, question_id: int, *, actor: User) -> None:
    """Remove a question (never the last one); the ones after it move up."""
    appeal, question = await _question(session, actor, question_id)
    _require_decidable(appeal)
    siblings = await of_appeal(session, appeal.id)
    if len(siblings) <= 1:
        raise InvalidInput("An appeal has at least one question: the last one cannot be removed.")
    position = question.position
    await session.delete(question)
    await session.flush()
    # One by one, upwards: (appeal, position) is unique at every step.
    for other in siblings:
        if other.id != question.id and other.position > position:
            other.position -= 1
            await session.flush()
    record(
        session,
        as_actor(actor),
        "appeal",
        appeal.id,
        "question_removed",
        data={
            "question_id": question_id,
            "position": position,
            "code": question.classifier_code,
            "text": question.text[:200],
        },
    )


async def set_result(
    session: AsyncSession,
    question_id: int,
    data: ResultInput,
    *,
    actor: User,
    now: datetime | None = None,
) -> AppealQuestion:
    """The result of one question with the measures taken (ССТУ: measures only for "supported")."""
    appeal, question = await _question(session, actor, question_id)
    _require_decidable(appeal)
    result = (data.result or "").strip() or None
    if result is not None and result not in {r.value for r in CHOOSABLE_RESULTS}:
        raise InvalidInput("Choose a result from the list.", field="result")
    measures = _text(data.measures, MEASURES_LIMIT, field="measures", required=False)
    taken = bool(data.measures_taken) and result == QuestionResult.SUPPORTED
    if taken and not measures:
        raise InvalidInput("Describe the measures taken.", field="measures")
    old = question.result
    question.result = result
    question.measures_taken = taken
    question.measures = measures
    question.decided_at = (now or utcnow()) if result else None
    question.decided_by_id = actor.id if result else None
    record(
        session,
        as_actor(actor),
        "appeal",
        appeal.id,
        "question_result",
        data={
            "question_id": question.id,
            "position": question.position,
            "old": old,
            "result": result,
            "measures_taken": taken,
        },
    )
    await session.flush()
    return question


async def settle_unresolved(
    session: AsyncSession, appeal_id: int, result: str, *, actor: User, now: datetime | None = None
) -> int:
    """Give every question still without a result the same ``result`` (e.g. "answered" from the
    answer form, for a one-question appeal); rights and state checked as for ``set_result``.
    Returns how many questions were settled."""
    appeal = await _appeal_for(session, actor, appeal_id)
    _require_decidable(appeal)
    if result not in {r.value for r in CHOOSABLE_RESULTS}:
        raise InvalidInput("Choose a result from the list.", field="result")
    now = now or utcnow()
    settled = await unresolved(session, appeal.id)
    for question in settled:
        question.result, question.decided_at, question.decided_by_id = result, now, actor.id
    if settled:
        record(
            session,
            as_actor(actor),
            "appeal",
            appeal.id,
            "question_result",
            data={"result": result, "positions": [q.position for q in settled]},
        )
        await session.flush()
    return len(settled)


async def mark_transferred(
    session: AsyncSession, appeal_id: int, *, actor: Actor | User, now: datetime | None = None
) -> int:
    """For the redirection flow: every question not yet decided becomes "transferred" (the caller
    has checked rights and records the redirection itself). Returns how many changed."""
    now = now or utcnow()
    user_id = actor.id if isinstance(actor, User) else actor.user_id
    changed = 0
    for question in await unresolved(session, appeal_id):
        question.result = QuestionResult.TRANSFERRED
        question.decided_at = now
        question.decided_by_id = user_id
        changed += 1
    if changed:
        record(
            session,
            as_actor(actor),
            "appeal",
            appeal_id,
            "question_result",
            data={"result": QuestionResult.TRANSFERRED.value, "questions": changed},
        )
        await session.flush()
    return changed
