"""Prometheus metrics of one process: what ``/metrics`` shows (docs in README, "Observability").

One :class:`Metrics` is built by the entry point (porucheno/runtime.py) with a registry of its own
and handed to the bot's middleware, the outbox senders, the scheduler and the panel; nothing here
registers at import time, so tests build as many independent instances as they like.

It lives in ``services`` because every layer that reports into it (bot, scheduler, panel) may
import services but not each other; it knows nothing of aiogram, aiohttp or APScheduler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage
from models.enums import OutboxStatus
from services.messengers import MAX_OFFSET, MESSENGERS, Messenger

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# From a cached reply (a few ms) to a slow report or an export (seconds); the goal is p99 < 50 ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Scheduler jobs: a scan of a few rows (milliseconds) to a digest or a first retention run (minutes).
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)
# OutboxSender.stats keys -> (metric attribute, extra label); see SendStats.
_SEND_RESULTS = {
    "sent": ("outbox_sent", None),
    "retry_after": ("outbox_retry_after", None),
    "blocked": ("outbox_blocked", None),
    "failed": ("outbox_send_errors", "failed"),
    "retried": ("outbox_send_errors", "retried"),
}


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = r = registry if registry is not None else CollectorRegistry()
        self.updates = Counter(
            "porucheno_updates",
            "Updates handled, by messenger, update type and outcome (handled, unhandled, error).",
            ["messenger", "type", "outcome"],
            registry=r,
        )
        self.update_seconds = Histogram(
            "porucheno_update_seconds",
            "Time to handle one update (all middlewares and the handler), seconds.",
            ["messenger", "type"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.handler_errors = Counter(
            "porucheno_handler_errors",
            "Updates whose handler raised, by exception class.",
            ["messenger", "error"],
            registry=r,
        )
        self.outbox_pending = Gauge(
            "porucheno_outbox_pending",
            "Outbox messages waiting to be sent (read from the database when scraped).",
            ["messenger"],
            registry=r,
        )
        self.outbox_sent = Counter(
            "porucheno_outbox_sent", "Outbox messages sent by this process.", ["messenger"], registry=r
        )
        self.outbox_retry_after = Counter(
            "porucheno_outbox_retry_after",
            "429 Too Many Requests answers (retry_after) to outbox sends.",
            ["messenger"],
            registry=r,
        )
        self.outbox_blocked = Counter(
            "porucheno_outbox_blocked",
            "Outbox sends refused with 403 (the user blocked the bot).",
            ["messenger"],
            registry=r,
        )
        self.outbox_send_errors = Counter(
            "porucheno_outbox_send_errors",
            "Outbox sends that failed for good (kind=failed) or will be retried (kind=retried).",
            ["messenger", "kind"],
            registry=r,
        )
        self.job_runs = Counter(
            "porucheno_scheduler_job_runs",
            "Scheduler job runs by job id and outcome (ok, error, missed).",
            ["job", "outcome"],
            registry=r,
        )
        self.job_seconds = Histogram(
            "porucheno_scheduler_job_seconds",
            "Time from a job run's start to its end (ok or error), seconds.",
            ["job"],
            buckets=JOB_BUCKETS,
            registry=r,
        )
        # An alert on «now - this > 2 × the job's period» catches a job that silently stopped.
        self.job_last_success = Gauge(
            "porucheno_scheduler_job_last_success_seconds",
            "Unix time of the job's last run that ended without an error.",
            ["job"],
            registry=r,
        )
        # The hot path (every update) skips prometheus_client's label lookup and lock for the child.
        self._update_children: dict[tuple[str, str, str], Any] = {}
        self._latency_children: dict[tuple[str, str], Any] = {}

    # -- bot ----------------------------------------------------------------------------------

    def update_handled(self, messenger: str, update_type: str, outcome: str, seconds: float) -> None:
        key = (messenger, update_type, outcome)
        counter = self._update_children.get(key)
        if counter is None:
            counter = self._update_children[key] = self.updates.labels(*key)
        counter.inc()
        histogram = self._latency_children.get(key[:2])
        if histogram is None:
            histogram = self._latency_children[key[:2]] = self.update_seconds.labels(*key[:2])
        histogram.observe(seconds)

    def handler_failed(self, messenger: str, error: BaseException) -> None:
        self.handler_errors.labels(messenger, type(error).__name__).inc()

    # -- outbox -------------------------------------------------------------------------------

    def send_stats(self, messenger: str) -> SendStats:
        return SendStats(self, messenger)

    def set_outbox_pending(self, counts: Mapping[str, int]) -> None:
        for messenger in MESSENGERS:  # a drained outbox shows 0, not a vanished series
            self.outbox_pending.labels(messenger.value).set(counts.get(messenger.value, 0))

    # -- scheduler ----------------------------------------------------------------------------

    def job_ran(self, job_id: str, outcome: str, seconds: float | None = None) -> None:
        """A run ended (``seconds`` long, when its start was seen) or was missed."""
        self.job_runs.labels(job_id, outcome).inc()
        if seconds is not None:
            self.job_seconds.labels(job_id).observe(seconds)
        if outcome == "ok":
            self.job_last_success.labels(job_id).set_to_current_time()

    # -- scrape -------------------------------------------------------------------------------

    async def render(self, session: AsyncSession) -> bytes:
        """The text exposition, with the outbox depth read now (one grouped count)."""
        self.set_outbox_pending(await pending_by_messenger(session))
        return generate_latest(self.registry)


class SendStats(dict[str, int]):
    """``OutboxSender.stats`` that also counts into Prometheus.

    The sender keeps its plain dict of counters (benches and tests read it); this one mirrors each
    increment into the matching metric, so the sender needs no metrics calls of its own.
    """

    def __init__(self, metrics: Metrics, messenger: str) -> None:
        super().__init__({key: 0 for key in _SEND_RESULTS})
        self._children = {}
        for key, (attr, kind) in _SEND_RESULTS.items():
            metric = getattr(metrics, attr)
            self._children[key] = metric.labels(messenger, kind) if kind else metric.labels(messenger)

    def __setitem__(self, key: str, value: int) -> None:
        child = self._children.get(key)
        if child is not None and value > self.get(key, 0):
            child.inc(value - self.get(key, 0))
        super().__setitem__(key, value)


async def pending_by_messenger(session: AsyncSession) -> dict[str, int]:
    """Pending outbox messages per messenger (chat address ranges: services/messengers.py)."""
    in_max = or_(OutboxMessage.chat_id >= MAX_OFFSET, OutboxMessage.chat_id <= -MAX_OFFSET)
    # Two sums rather than GROUP BY a CASE: PostgreSQL would see the CASE's bound parameters in the
    # select list and in GROUP BY as different expressions.
    total, in_max_count = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((in_max, 1), else_=0)), 0)).where(
                OutboxMessage.status == OutboxStatus.PENDING
            )
        )
    ).one()
    return {Messenger.TELEGRAM.value: total - in_max_count, Messenger.MAX.value: in_max_count}
