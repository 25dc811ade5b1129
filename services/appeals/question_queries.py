"""Reading the questions of appeals: in order, those still undecided, the answer rule (every question
decided), and the rows the ССТУ report and the list exports take. ``services.appeals.questions``
re-exports all of it: callers use that module."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AppealQuestion
from services.appeals import classifier
from services.errors import InvalidInput
from services.streamed import rows_by_ids


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question as the ССТУ report needs it."""

    position: int
    code: str | None
    name: str | None
    result: str | None
    measures_taken: bool
    measures: str | None
    decided_at: datetime | None


async def of_appeal(session: AsyncSession, appeal_id: int) -> list[AppealQuestion]:
    query = (
        select(AppealQuestion)
        .where(AppealQuestion.appeal_id == appeal_id)
        .order_by(AppealQuestion.position, AppealQuestion.id)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(query)).all())


async def unresolved(session: AsyncSession, appeal_id: int) -> list[AppealQuestion]:
    """The appeal's questions still without a result, by position."""
    return [q for q in await of_appeal(session, appeal_id) if not q.result]


async def require_results(session: AsyncSession, appeal_id: int) -> None:
    """Refuse (``InvalidInput``) an answer while a question has no result, naming their positions.
    An appeal with no questions at all (made outside registration) passes."""
    missing = await unresolved(session, appeal_id)
    if missing:
        raise InvalidInput(
            "Set the result of every question before answering: question(s) %(positions)s have none.",
            positions=", ".join(str(q.position) for q in missing),
        )


async def results_for_export(
    session: AsyncSession, appeal_ids: Iterable[int]
) -> dict[int, list[QuestionRow]]:
    """Per appeal, its questions by position with the classifier name (for the ССТУ report)."""
    ids = list(dict.fromkeys(appeal_ids))
    if not ids:
        return {}
    found = (
        await session.scalars(
            select(AppealQuestion)
            .where(AppealQuestion.appeal_id.in_(ids))
            .order_by(AppealQuestion.appeal_id, AppealQuestion.position)
        )
    ).all()
    known = await classifier.names(session, {q.classifier_code for q in found if q.classifier_code})
    result: dict[int, list[QuestionRow]] = {i: [] for i in ids}
    for q in found:
        result[q.appeal_id].append(
            QuestionRow(
                position=q.position,
                code=q.classifier_code,
                name=known.get(q.classifier_code or ""),
                result=q.result,
                measures_taken=q.measures_taken,
                measures=q.measures,
                decided_at=q.decided_at,
            )
        )
    return result


async def codes_by_appeal(session: AsyncSession, appeal_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per appeal, its questions' codes in order (for list exports)."""
    rows = await rows_by_ids(
        session,
        appeal_ids,
        lambda chunk: (
            select(AppealQuestion.appeal_id, AppealQuestion.classifier_code)
            .where(AppealQuestion.appeal_id.in_(chunk), AppealQuestion.classifier_code.is_not(None))
            .order_by(AppealQuestion.appeal_id, AppealQuestion.position)
        ),
    )
    codes: dict[int, list[str]] = {}
    for appeal_id, code in rows:
        codes.setdefault(appeal_id, []).append(code)
    return codes
