"""Where an appeal stood at the end of a month: registered or not, in work, or finished and how.

Both the ССТУ report and the public counter read appeals through here, so the two never disagree.
The moment consideration ended is the answer's time, else the redirection's, else the first audit
event that moved the appeal to a finished state (rejections under art. 11 keep no date of their
own on the appeal; every state change is audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AuditEvent
from models.enums import AppealOutcome, AppealRegime, AppealStatus
from services.sstu.period import Month, aware

FINISHED_STATES = (AppealStatus.ANSWERED, AppealStatus.REJECTED, AppealStatus.REDIRECTED)
NO_ANSWER_OUTCOMES = frozenset(
    {
        AppealOutcome.ANONYMOUS,
        AppealOutcome.ABUSIVE,
        AppealOutcome.UNREADABLE,
        AppealOutcome.CORRESPONDENCE_STOPPED,
    }
)


class Stage:
    """An appeal's stage at the end of the month."""

    NOT_REGISTERED = "not_registered"
    IN_WORK = "in_work"
    REDIRECTED = "redirected"
    NO_ANSWER = "no_answer"  # art. 11 outcomes and plain rejections
    ANSWERED = "answered"  # considered on the merits


@dataclass(frozen=True, slots=True)
class AppealState:
    appeal: Appeal
    incoming_at: datetime
    finished_at: datetime | None  # when consideration ended, if by the month's end
    stage: str


def incoming_at(appeal: Appeal) -> datetime:
    return aware(appeal.received_at) or aware(appeal.registered_at)  # type: ignore[return-value]


def _finished_stage(appeal: Appeal) -> str:
    if appeal.outcome == AppealOutcome.REDIRECTED or appeal.status == AppealStatus.REDIRECTED:
        return Stage.REDIRECTED
    if appeal.outcome in NO_ANSWER_OUTCOMES or appeal.status == AppealStatus.REJECTED:
        return Stage.NO_ANSWER
    if appeal.status == AppealStatus.CLOSED and appeal.answered_at is None:
        return Stage.NO_ANSWER  # closed after a rejection
    return Stage.ANSWERED


def _event_moment(event: AuditEvent) -> datetime:
    """The rejection records the caller's clock in its data (frozen in tests); else the row's time."""
    raw = (event.data or {}).get("at")
    if isinstance(raw, str):
        try:
            return aware(datetime.fromisoformat(raw))  # type: ignore[return-value]
        except ValueError:
            pass
    return aware(event.at)  # type: ignore[return-value]


async def _finish_events(session: AsyncSession, ids: list[int]) -> dict[int, datetime]:
    """The first move to a finished state per appeal, from the audit trail."""
    found: dict[int, datetime] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        query = (
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "appeal",
                AuditEvent.entity_id.in_(chunk),
                AuditEvent.new_state.in_([str(s) for s in FINISHED_STATES]),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        for event in (await session.scalars(query)).all():
            if event.entity_id is not None:
                found.setdefault(event.entity_id, _event_moment(event))
    return found


def _finished_at(appeal: Appeal, events: dict[int, datetime]) -> datetime | None:
    if appeal.status in (AppealStatus.RECEIVED, AppealStatus.REGISTERED, AppealStatus.IN_WORK):
        return None
    return aware(appeal.answered_at) or aware(appeal.redirected_at) or events.get(appeal.id)


def _within(column, month: Month):  # type: ignore[no-untyped-def]
    return (column >= month.start) & (column < month.end)


async def month_states(session: AsyncSession, month: Month) -> list[AppealState]:
    """The 59-FZ appeals (not «сообщения») a month reports, in registration-number order.

    The rule: an appeal is reported for a month when it arrived or was registered in it, or when
    its consideration ended in it; the stage is as at the month's end (built later, an appeal
    answered after the month still shows "in work" for it).
    """
    finished_in_month = (
        select(AuditEvent.entity_id)
        .where(
            AuditEvent.entity_type == "appeal",
            AuditEvent.at >= month.start,
            AuditEvent.at < month.end,
            AuditEvent.new_state.in_([str(s) for s in FINISHED_STATES]),
        )
        .scalar_subquery()
    )
    query = (
        select(Appeal)
        .where(
            Appeal.regime == AppealRegime.APPEAL,
            or_(
                *(
                    _within(column, month)
                    for column in (
                        Appeal.registered_at,
                        Appeal.received_at,
                        Appeal.answered_at,
                        Appeal.redirected_at,
                    )
                ),
                Appeal.id.in_(finished_in_month),
            ),
        )
        .order_by(Appeal.reg_year, Appeal.reg_seq)
    )
    appeals = list((await session.scalars(query)).all())
    events = await _finish_events(session, [a.id for a in appeals])
    states: list[AppealState] = []
    for appeal in appeals:
        arrived = incoming_at(appeal)
        if arrived >= month.end:
            continue  # arrived after the month (a late audit row of an older one cannot pull it in)
        finished = _finished_at(appeal, events)
        if finished is not None and finished >= month.end:
            finished = None  # as at the month's end it was still in work
        if finished is not None and finished < month.start and arrived < month.start:
            # Finished before the month and not arrived in it: a later edit, nothing to report.
            if not (month.start <= aware(appeal.registered_at) < month.end):  # type: ignore[operator]
                continue
        if finished is not None:
            stage = _finished_stage(appeal)
        elif appeal.status == AppealStatus.RECEIVED or aware(appeal.registered_at) >= month.end:  # type: ignore[operator]
            stage = Stage.NOT_REGISTERED
        else:
            stage = Stage.IN_WORK
        states.append(AppealState(appeal, arrived, finished, stage))
    return states
