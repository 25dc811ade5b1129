"""The scheduler's jobs running now, so that a stop lets them finish.

APScheduler's asyncio executor cancels every job still running when the scheduler shuts down, and
logs each as a failed run with a traceback. A digest cut short while its chart renders, or a deadline
scan between two commits, is harmless (each job is idempotent and runs again on the next start), but
an administrator stopping the service reads a traceback for nothing. So the stop first pauses the
scheduler (no new runs) and waits a little for the running ones (:meth:`RunningJobs.settle`).
"""

from __future__ import annotations

import asyncio
import contextlib

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobEvent
from apscheduler.schedulers.base import BaseScheduler

# Long enough for a digest's charts or a mail poll; short of what a service manager waits for a stop.
STOP_GRACE_SECONDS = 10.0


class RunningJobs:
    def __init__(self, scheduler: BaseScheduler) -> None:
        self.scheduler = scheduler
        self.running: set[str] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        scheduler.add_listener(self._on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _on_event(self, event: JobEvent) -> None:
        # Called on the event loop's thread: when a run is handed to the executor and when it ends.
        if event.code == EVENT_JOB_SUBMITTED:
            self.running.add(event.job_id)
            self._idle.clear()
            return
        self.running.discard(event.job_id)
        if not self.running:
            self._idle.set()

    async def settle(self, grace: float = STOP_GRACE_SECONDS) -> set[str]:
        """Pause the scheduler and wait up to ``grace`` seconds for the running jobs; returns the ids
        of those still running (the shutdown that follows cancels them)."""
        if self.scheduler.running:
            self.scheduler.pause()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                await self._idle.wait()
        return set(self.running)
