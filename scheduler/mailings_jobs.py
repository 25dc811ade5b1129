"""Mailings: start the scheduled ones whose time has come, and close the ones fully delivered.

Own session, own clock; starting is a conditional status UPDATE, so two runs (or a run and a
«send now» press) start a mailing once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from services.mailings import sending

log = logging.getLogger(__name__)


async def mailings_tick(
    session_factory: async_sessionmaker[AsyncSession],
    locale: str = "ru",
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> list[int]:
    """Start the scheduled mailings that are due (segments' dates read in ``tz``, the configured zone
    the panel's counts use too) and mark the drained ones sent."""
    async with session_factory() as session:
        started = await sending.start_due(session, now=now or utcnow(), locale=locale, tz=tz)
        await session.commit()
    async with session_factory() as session:
        finished = await sending.finish_done(session)
        await session.commit()
    if started or finished:
        log.info("mailings: %s started (%s), %s finished", len(started), started, finished)
    return started
