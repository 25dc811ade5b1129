"""59-FZ art. 11 p. 5: stopping correspondence on a question.

When an appeal raises a question the applicant has repeatedly («неоднократно») been given written
answers on the merits to, in earlier appeals to the same body, and brings no new arguments or
circumstances, the head of the body or a person authorised by them may decide that the appeal is
unfounded and stop correspondence with the applicant on that question, telling the applicant.

«Repeatedly» is read as at least two earlier answered appeals (``MIN_EARLIER``); the decision is a
manager's or an administrator's (the head or the authorised person), never a clerk's. The decision
is kept on the correspondent (``correspondence_stopped_at`` / ``_note``) so their later appeals
warn the clerk (``stop_warning``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AuditEvent, Correspondent, User, utcnow
from models.enums import AppealOutcome, AppealStatus, LetterKind, Role
from services.appeals import notices
from services.appeals.outcome_texts import LetterText
from services.appeals.outcomes import OutcomeEnv, OutcomeResult, close_with, issue_and_notify, prepare
from services.errors import InvalidInput

DECISION_ROLES = (Role.MANAGER,)  # administrators always pass; clerks prepare, the head decides
MIN_EARLIER = 2  # «неоднократно давались письменные ответы»: more than once
REASON_LIMIT = 2_000
ANSWERED_STATES = (AppealStatus.ANSWERED, AppealStatus.CLOSED)
ACTION = f"outcome_{AppealOutcome.CORRESPONDENCE_STOPPED}"


async def answered_earlier(session: AsyncSession, appeal: Appeal) -> list[Appeal]:
    """The candidates: the same correspondent's earlier appeals that were answered on the merits."""
    if appeal.correspondent_id is None:
        return []
    query = (
        select(Appeal)
        .where(
            Appeal.correspondent_id == appeal.correspondent_id,
            Appeal.id != appeal.id,
            Appeal.registered_at <= appeal.registered_at,
            Appeal.status.in_(ANSWERED_STATES),
            Appeal.answered_at.is_not(None),
        )
        .order_by(Appeal.registered_at.desc(), Appeal.id.desc())
    )
    return list((await session.scalars(query)).all())


async def stop_correspondence(
    session: AsyncSession,
    appeal_id: int,
    *,
    actor: User,
    env: OutcomeEnv,
    earlier_ids: Sequence[int],
    reason: str,
    letter: LetterText,
    override_reason: str | None = None,
) -> OutcomeResult:
    """The decision: the appeal closed as unfounded, correspondence on the question stopped, the
    applicant sent the decision letter. ``earlier_ids`` must be answered appeals of the same
    correspondent (checked against ``answered_earlier``, never taken from the form as is)."""
    note = (reason or "").strip()
    if not note:
        raise InvalidInput("Please give a reason.", field="stop_reason")
    if len(note) > REASON_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=REASON_LIMIT)
    appeal, still_open, override = await prepare(
        session, appeal_id, actor, override_reason, roles=DECISION_ROLES
    )
    correspondent = (
        await session.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    )
    if correspondent is None:
        raise InvalidInput("The appeal has no correspondent to stop correspondence with.")
    candidates = {a.id: a for a in await answered_earlier(session, appeal)}
    picked = [candidates[i] for i in dict.fromkeys(earlier_ids) if i in candidates]
    if len(picked) != len(set(earlier_ids)):
        raise InvalidInput("Choose earlier answered appeals of this correspondent.", field="stop_earlier")
    if len(picked) < MIN_EARLIER:
        raise InvalidInput(
            "Choose at least %(n)d earlier appeals answered on the merits: the law requires answers "
            "given more than once.",
            n=MIN_EARLIER,
            field="stop_earlier",
        )
    now = env.now or utcnow()
    correspondent.correspondence_stopped_at = now
    correspondent.correspondence_stopped_note = note
    close_with(
        session,
        appeal,
        AppealOutcome.CORRESPONDENCE_STOPPED,
        actor,
        still_open=still_open,
        override=override,
        reason=note,
        data={
            "correspondent_id": correspondent.id,
            "earlier_ids": [a.id for a in picked],
            "earlier_numbers": [a.reg_number for a in picked],
        },
    )
    result = OutcomeResult(appeal)
    result.letter, result.notices = await issue_and_notify(
        session,
        appeal,
        LetterKind.CORRESPONDENCE_STOPPED,
        letter,
        env,
        actor,
        event=notices.CORRESPONDENCE_STOPPED,
    )
    await session.flush()
    return result


@dataclass(frozen=True, slots=True)
class StopWarning:
    """What a later appeal of the correspondent shows: when, by whom, on which appeal, why."""

    at: datetime
    note: str
    decided_by_id: int | None
    appeal_id: int | None
    appeal_number: str | None


async def stop_warning(session: AsyncSession, appeal: Appeal) -> StopWarning | None:
    """The decision to stop correspondence with this appeal's correspondent, taken on another
    appeal; None when there is none (or this appeal is the one it was taken on)."""
    if appeal.correspondent_id is None:
        return None
    person = await session.get(Correspondent, appeal.correspondent_id)
    if person is None or person.correspondence_stopped_at is None:
        return None
    stopping = await session.scalar(
        select(Appeal)
        .where(
            Appeal.correspondent_id == person.id,
            Appeal.outcome == AppealOutcome.CORRESPONDENCE_STOPPED,
        )
        .order_by(Appeal.id.desc())
        .limit(1)
    )
    if stopping is not None and stopping.id == appeal.id:
        return None
    event = None
    if stopping is not None:
        event = await session.scalar(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "appeal",
                AuditEvent.entity_id == stopping.id,
                AuditEvent.action == ACTION,
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    return StopWarning(
        at=person.correspondence_stopped_at,
        note=person.correspondence_stopped_note or "",
        decided_by_id=event.actor_user_id if event is not None else None,
        appeal_id=stopping.id if stopping is not None else None,
        appeal_number=stopping.reg_number if stopping is not None else None,
    )
