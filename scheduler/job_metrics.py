"""Counts and times every job run into ``porucheno_scheduler_job_*`` (services/metrics.py)."""

from __future__ import annotations

import time

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.schedulers.base import BaseScheduler

from services.metrics import Metrics

_OUTCOMES = {EVENT_JOB_EXECUTED: "ok", EVENT_JOB_ERROR: "error", EVENT_JOB_MISSED: "missed"}


def count_job_runs(scheduler: BaseScheduler, metrics: Metrics) -> None:
    # APScheduler calls listeners on the event loop thread: when it hands a run to the asyncio
    # executor (which starts the coroutine at once) and when the coroutine ends. A job never runs
    # twice at once (max_instances 1), so its id is enough to pair the two.
    started: dict[str, float] = {}

    def listener(event: JobEvent) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            started[event.job_id] = time.monotonic()
            return
        start = started.pop(event.job_id, None) if event.code != EVENT_JOB_MISSED else None
        seconds = time.monotonic() - start if start is not None else None
        metrics.job_ran(event.job_id, _OUTCOMES[event.code], seconds)

    scheduler.add_listener(
        listener, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
    )
