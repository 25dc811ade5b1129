"""The scheduler carries every periodic job, in the configured time zone."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.settings import Settings
from scheduler.factory import SchedulerHealth, create_scheduler
from scheduler.running import RunningJobs


async def test_jobs_are_registered_in_local_time(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    scheduler = create_scheduler(
        settings.model_copy(update={"escalation_time": "09:30"}), session_factory, SchedulerHealth()
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "heartbeat",
        "deadline_scan",
        "appeal_reminders",
        "planned_outages",
        "overdue_escalation",
        "outage_progress",
        "digests",
        "dispatch_nudges",
        "recurring_assignments",
        "sla_watch",
        "mailings",
        "event_reminders",
        "pd_retention",  # on by default (5 years); PORUCHENO_PD_RETENTION_DAYS=0 leaves it out
        "notice_retention",  # on by default (90 days); PORUCHENO_NOTICE_KEEP_DAYS=0 leaves it out
    }
    assert str(scheduler.timezone) == "Europe/Moscow"
    trigger = str(jobs["overdue_escalation"].trigger)
    assert "hour='9'" in trigger and "minute='30'" in trigger


async def test_settings_reach_the_jobs(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    changed = settings.model_copy(
        update={"outage_warning_hours": 48.0, "digest_recipients": "heads", "digest_time": "07:45"}
    )
    jobs = {job.id: job for job in create_scheduler(changed, session_factory, SchedulerHealth()).get_jobs()}
    assert jobs["planned_outages"].kwargs == {"warn_before": timedelta(hours=48)}
    assert jobs["digests"].kwargs == {"groups": frozenset({"heads"}), "offload": None}
    assert jobs["digests"].args[3] == time(7, 45)
    days = settings.model_copy(update={"service_confirm_days": 5})
    watch = {job.id: job for job in create_scheduler(days, session_factory, SchedulerHealth()).get_jobs()}
    assert watch["sla_watch"].args[2] == 5


async def test_a_stop_lets_running_jobs_finish_and_names_those_it_cannot_wait_for() -> None:
    """APScheduler cancels the jobs still running when it shuts down and logs each with a traceback;
    the service's stop pauses it and waits for them first (scheduler/running.py)."""
    finished: list[str] = []

    async def short() -> None:
        await asyncio.sleep(0.2)
        finished.append("short")

    async def endless() -> None:
        await asyncio.Event().wait()

    scheduler = AsyncIOScheduler()
    running = RunningJobs(scheduler)
    scheduler.add_job(short, id="short")
    scheduler.start()
    await asyncio.sleep(0.05)  # the run has begun
    assert running.running == {"short"}
    assert await running.settle(grace=5) == set()
    assert finished == ["short"]
    scheduler.resume()
    scheduler.add_job(endless, id="endless")
    await asyncio.sleep(0.05)
    assert await running.settle(grace=0.2) == {"endless"}
    assert scheduler.state == STATE_PAUSED  # nothing new starts while the stop waits
    scheduler.shutdown(wait=False)
