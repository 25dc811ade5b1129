"""Counts every job run into ``porucheno_scheduler_job_runs`` (services/metrics.py)."""

from __future__ import annotations

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.base import BaseScheduler

from services.metrics import Metrics

_OUTCOMES = {EVENT_JOB_EXECUTED: "ok", EVENT_JOB_ERROR: "error", EVENT_JOB_MISSED: "missed"}


def count_job_runs(scheduler: BaseScheduler, metrics: Metrics) -> None:
    # APScheduler calls listeners on the event loop thread when a job's coroutine ends: a counter
    # increment, nothing that could block.
    def listener(event: JobEvent) -> None:
        metrics.job_ran(event.job_id, _OUTCOMES[event.code])

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
