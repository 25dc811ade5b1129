"""The recurring assignments' job: creates what is due, exactly once (see services.recurring.runner)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from services.notify import NoticeContext
from services.recurring.runner import RunResult, run_due

log = logging.getLogger(__name__)

RECURRING_MINUTES = 5


async def recurring_assignments(
    session_factory: async_sessionmaker[AsyncSession], ctx: NoticeContext, now: datetime | None = None
) -> RunResult:
    async with session_factory() as session:
        result = await run_due(session, ctx, now or utcnow())
        await session.commit()
    if result.created or result.failed:
        log.info("recurring: %s created, %s refused", len(result.created), result.failed)
    return result
