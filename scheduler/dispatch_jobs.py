"""The ЕДДС's nudges (services.incidents.nudges): own session, own clock, idempotent through the
outbox's dedup keys, so a run repeated after a restart sends nothing twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from services.incidents import nudges
from services.notify import NoticeContext

log = logging.getLogger(__name__)


async def dispatch_nudges(
    session_factory: async_sessionmaker[AsyncSession], ctx: NoticeContext, now: datetime | None = None
) -> nudges.NudgeResult:
    async with session_factory() as session:
        result = await nudges.dispatch_nudges(session, ctx, now or utcnow())
        await session.commit()
    if result.queued:
        log.info(
            "dispatch nudges: %s unacknowledged, %s past their expected end, %s messages",
            result.unacknowledged,
            result.overdue,
            result.queued,
        )
    return result
