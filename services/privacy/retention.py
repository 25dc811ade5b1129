"""The end of retention: people whose every appeal was finished (answered, closed or rejected) more
than ``days`` ago lose their identity, by the same anonymisation as an erasure on request, audited
as the system. Idempotent: an erased person is never picked again.

«Finished» is the answer time, else the registration time for an appeal closed or rejected without
one (rejections and closures carry no own timestamp). People without appeals are left alone: their
record came from an import or a clerk and has no appeal to measure the term by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Correspondent, PdErasure
from models.enums import AppealStatus
from services.audit import Actor
from services.privacy.erasure import anonymise

FINISHED = (AppealStatus.ANSWERED, AppealStatus.CLOSED, AppealStatus.REJECTED)
BATCH = 200  # per run; the next run goes on


@dataclass(slots=True)
class RetentionResult:
    erased: list[int] = field(default_factory=list)


async def due(session: AsyncSession, now: datetime, days: int, *, limit: int = BATCH) -> list[int]:
    """Correspondents past the retention term (not merged, not erased yet)."""
    cutoff = now - timedelta(days=days)
    finished_at = func.coalesce(Appeal.answered_at, Appeal.registered_at)
    has_open = exists().where(Appeal.correspondent_id == Correspondent.id, Appeal.status.not_in(FINISHED))
    has_recent = exists().where(Appeal.correspondent_id == Correspondent.id, finished_at >= cutoff)
    has_any = exists().where(Appeal.correspondent_id == Correspondent.id)
    erased = exists().where(PdErasure.correspondent_id == Correspondent.id)
    rows = await session.scalars(
        select(Correspondent.id)
        .where(Correspondent.merged_into_id.is_(None), has_any, ~has_open, ~has_recent, ~erased)
        .order_by(Correspondent.id)
        .limit(limit)
    )
    return list(rows.all())


async def run(session: AsyncSession, now: datetime, days: int) -> RetentionResult:
    """Anonymise everyone due; ``days`` 0 switches retention off. The caller commits."""
    result = RetentionResult()
    if days <= 0:
        return result
    for correspondent_id in await due(session, now, days):
        await anonymise(
            session,
            correspondent_id,
            Actor.system("retention"),
            f"retention: {days} days after the last appeal was finished",
            by_retention=True,
            now=now,
        )
        result.erased.append(correspondent_id)
    return result
