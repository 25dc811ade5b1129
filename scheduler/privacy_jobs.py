"""The personal data retention job: opens its own session, takes the clock, idempotent (an erased
person is never picked again; see services.privacy.retention)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from services.privacy import notice_retention, retention

log = logging.getLogger(__name__)


async def pd_retention(
    session_factory: async_sessionmaker[AsyncSession], days: int, now: datetime | None = None
) -> retention.RetentionResult:
    if days <= 0:
        return retention.RetentionResult()
    async with session_factory() as session:
        result = await retention.run(session, now or utcnow(), days)
        await session.commit()
    if result.erased:
        log.info("personal data retention: %s people anonymised", len(result.erased))
    return result


async def notice_retention_job(
    session_factory: async_sessionmaker[AsyncSession], days: int, now: datetime | None = None
) -> int:
    """Drop the texts of finished notices older than ``days``, a committed batch at a time (a
    first run on a years-old outbox neither holds one long transaction nor the database's lock)."""
    if days <= 0:
        return 0
    now = now or utcnow()
    cleared = 0
    while True:
        async with session_factory() as session:
            count = await notice_retention.clear_batch(session, now, days)
            await session.commit()
        cleared += count
        if count < notice_retention.BATCH:
            break
    if cleared:
        log.info("notice retention: texts of %s notices older than %s days dropped", cleared, days)
    return cleared
