"""Scheduled jobs. Each opens its own session, takes the clock as an argument and is idempotent."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from porucheno.settings import Settings
from services.assignments import deadlines
from services.notify import NoticeContext
from services.outages.planned import planned_scan

log = logging.getLogger(__name__)


def _hhmm(value: str) -> time:
    hours, minutes = (int(x) for x in value.split(":"))
    return time(hours, minutes)


def nudge_policy(settings: Settings) -> deadlines.NudgePolicy:
    start, end = settings.quiet_hours.split("-")
    return deadlines.NudgePolicy(
        offsets=tuple(timedelta(hours=h) for h in settings.nudge_offsets_hours),
        quiet_start=_hhmm(start),
        quiet_end=_hhmm(end),
    )


async def deadline_scan(
    session_factory: async_sessionmaker[AsyncSession],
    ctx: NoticeContext,
    policy: deadlines.NudgePolicy,
    now: datetime | None = None,
) -> deadlines.ScanResult:
    async with session_factory() as session:
        result = await deadlines.scan(session, ctx, policy, now or utcnow())
        await session.commit()
    if result.reminders or result.deadline_notices:
        log.info("deadline scan: %s reminders, %s at deadline", result.reminders, result.deadline_notices)
    return result


async def overdue_escalation(
    session_factory: async_sessionmaker[AsyncSession], ctx: NoticeContext, now: datetime | None = None
) -> int:
    async with session_factory() as session:
        sent = await deadlines.escalate_overdue(session, ctx, now or utcnow())
        await session.commit()
    log.info("overdue escalation: %s recipients", sent)
    return sent


async def planned_outages(
    session_factory: async_sessionmaker[AsyncSession], ctx: NoticeContext, now: datetime | None = None
) -> None:
    """Warn subscribers before planned outages, and tell them when they start and end."""
    async with session_factory() as session:
        result = await planned_scan(session, ctx, now or utcnow())
        await session.commit()
    if result.queued:
        log.info("planned outages: %s notices queued", result.queued)
