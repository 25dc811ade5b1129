"""The service desk's SLA watch (services.service_desk.sla_watch): own session, own clock,
idempotent through the outbox's dedup keys, so a run repeated after a restart sends nothing twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from services.notify import NoticeContext
from services.service_desk import sla_watch

log = logging.getLogger(__name__)


async def sla_watch_scan(
    session_factory: async_sessionmaker[AsyncSession],
    ctx: NoticeContext,
    confirm_days: int = sla_watch.DEFAULT_CONFIRM_DAYS,
    now: datetime | None = None,
) -> sla_watch.WatchResult:
    async with session_factory() as session:
        result = await sla_watch.scan(session, ctx, now or utcnow(), confirm_days=confirm_days)
        await session.commit()
    if result.queued or result.closed:
        log.info(
            "SLA watch: %s warnings, %s escalations, %s messages, %s closed unconfirmed",
            result.warnings,
            result.escalations,
            result.queued,
            result.closed,
        )
    return result
