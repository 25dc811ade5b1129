"""The personal data retention job: opens its own session, takes the clock, idempotent (an erased
person is never picked again; see services.privacy.retention)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from services.privacy import retention

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
