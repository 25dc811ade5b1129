"""APScheduler assembly. Jobs are plain async functions that open their own session; their
idempotency lives in the database (unique keys), so a restart or a missed run never doubles work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from porucheno.settings import Settings
from scheduler import jobs
from services.notify import NoticeContext

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30


@dataclass
class SchedulerHealth:
    """Updated by the heartbeat job; /healthz reports the scheduler alive while it beats."""

    last_beat: datetime | None = None
    history: list[str] = field(default_factory=list)

    def alive(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.last_beat is not None and (now - self.last_beat).total_seconds() < 3 * HEARTBEAT_SECONDS


async def heartbeat(health: SchedulerHealth) -> None:
    health.last_beat = utcnow()


def create_scheduler(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], health: SchedulerHealth
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=settings.tz,
        # One instance per job; a run missed while down is run once on start-up (coalesced).
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    scheduler.add_job(
        heartbeat,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        args=[health],
        id="heartbeat",
        next_run_time=utcnow(),
    )
    ctx = NoticeContext.from_settings(settings)
    scheduler.add_job(
        jobs.deadline_scan,
        "interval",
        minutes=settings.deadline_scan_minutes,
        args=[session_factory, ctx, jobs.nudge_policy(settings)],
        id="deadline_scan",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        jobs.planned_outages,
        "interval",
        minutes=settings.deadline_scan_minutes,
        args=[session_factory, ctx],
        id="planned_outages",
        next_run_time=utcnow(),
    )
    hour, minute = (int(x) for x in settings.escalation_time.split(":"))
    scheduler.add_job(
        jobs.overdue_escalation,
        "cron",
        hour=hour,
        minute=minute,
        args=[session_factory, ctx],
        id="overdue_escalation",
        # Run late rather than skip a day when the service was down at escalation time.
        misfire_grace_time=12 * 3600,
    )
    return scheduler
