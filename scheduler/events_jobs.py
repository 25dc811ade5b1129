"""Event reminders (services.events.reminders): own session, own clock; idempotent through
``reminded_at`` and the outbox's dedup keys, so a repeated run sends nothing twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from services.events import reminders
from services.notify import NoticeContext

log = logging.getLogger(__name__)

REMINDER_MINUTES = 5


async def event_reminders(
    session_factory: async_sessionmaker[AsyncSession], ctx: NoticeContext, now: datetime | None = None
) -> reminders.ReminderResult:
    async with session_factory() as session:
        result = await reminders.send_due(session, ctx, now or utcnow())
        await session.commit()
    if result.reminded:
        log.info("event reminders: %s registrations, %s messages", result.reminded, result.queued)
    return result
