"""``porucheno run --workers N``: a supervisor and N worker processes on one PostgreSQL and Redis.

Process layout::

    porucheno run --workers N          supervisor: migrates the database once, starts the workers,
    │                                  restarts one that dies, forwards SIGTERM/SIGINT to all
    ├── worker 0   webhook (SO_REUSEPORT), outbox sender, scheduler candidate, the web panel,
    │              setWebhook and the command list
    ├── worker 1   webhook (SO_REUSEPORT), outbox sender, scheduler candidate
    └── ...

What makes the workers safe together: an update is handled once (bot/update_dedup.py), the FSM and
the per-chat event lock live in Redis (bot/factory.py), an outbox row is claimed by one sender
(services/outbox.py, FOR UPDATE SKIP LOCKED), the send rate is one budget for all (bot/shared_rate.py),
one worker at a time runs the scheduler (scheduler/leader.py), and an album whose parts land on
different workers is acknowledged once, by one of them (bot/albums.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field

from porucheno.settings import Settings

log = logging.getLogger(__name__)

WORKER_ENV = "PORUCHENO_WORKER"  # "<index>/<count>", set by the supervisor for its children
STOP_GRACE = 30.0  # seconds a worker gets to finish after SIGTERM before it is killed
RESTART_MIN, RESTART_MAX = 1.0, 30.0  # backoff for a worker that keeps dying
HEALTHY_AFTER = 60.0  # a worker that lived this long starts its next backoff from RESTART_MIN


def worker_problems(settings: Settings) -> list[str]:
    """Why several workers cannot share this configuration (empty: they can)."""
    problems = []
    if not settings.database_url.startswith("postgresql"):
        problems.append("PORUCHENO_DATABASE_URL: several workers need PostgreSQL (not SQLite)")
    if not settings.redis_url:
        problems.append("PORUCHENO_REDIS_URL: several workers need Redis (shared FSM, locks, rate)")
    if settings.bot_token and not settings.webhook_url:
        problems.append("PORUCHENO_WEBHOOK_URL: several workers need webhook mode (not long polling)")
    if settings.max_token and not settings.max_webhook_url:
        problems.append("PORUCHENO_MAX_WEBHOOK_URL: several workers need MAX's webhook mode")
    return problems


async def connection_budget_problem(settings: Settings, workers: int) -> str | None:
    """Why ``workers`` processes' pools may not fit PostgreSQL's ``max_connections`` (None: they fit).

    Past the limit the server refuses a connection ("too many clients already") and the update that
    needed it fails; told at start, the administrator lowers the pools or raises the limit instead.
    Behind a pooler (PgBouncer) the server's limit says nothing, and nothing is reported."""
    from sqlalchemy import text

    from models.db import create_engine

    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            limit = int(await conn.scalar(text("SHOW max_connections")))
            reserved = int(await conn.scalar(text("SHOW superuser_reserved_connections")))
    except Exception as exc:  # a pooler without SHOW, a server not up yet: nothing to compare
        log.debug("max_connections not read: %s", exc)
        return None
    finally:
        await engine.dispose()
    needed = workers * settings.connections_per_process
    if needed <= limit - reserved:
        return None
    return (
        f"{workers} workers may open {needed} PostgreSQL connections ({settings.pool_size} each, "
        f"{settings.database_max_overflow} more in a burst), but the server allows "
        f"{limit - reserved} (max_connections {limit}, {reserved} reserved): lower "
        "PORUCHENO_UPDATE_CONCURRENCY or PORUCHENO_DATABASE_POOL_SIZE, or raise max_connections"
    )


def worker_from_env() -> tuple[int, int] | None:
    """(index, count) when this process is a worker started by the supervisor."""
    raw = os.environ.get(WORKER_ENV)
    if not raw:
        return None
    index, count = raw.split("/")
    return int(index), int(count)


@dataclass
class _Slot:
    index: int
    process: asyncio.subprocess.Process | None = None
    started: float = 0.0
    backoff: float = RESTART_MIN
    restarts: int = field(default=0)


class Supervisor:
    def __init__(self, count: int, argv: list[str] | None = None) -> None:
        self.count = count
        # The same CLI in each child: ``python -m porucheno run`` with the worker's index in the env.
        self.argv = argv or [sys.executable, "-m", "porucheno", "run"]
        self.slots = [_Slot(i) for i in range(count)]
        self.stopping = asyncio.Event()

    async def _spawn(self, slot: _Slot) -> None:
        env = {**os.environ, WORKER_ENV: f"{slot.index}/{self.count}"}
        slot.process = await asyncio.create_subprocess_exec(*self.argv, env=env)
        slot.started = time.monotonic()
        log.info("worker %d started (pid %d)", slot.index, slot.process.pid)

    async def _keep(self, slot: _Slot) -> None:
        """Run one worker; restart it (with backoff) whenever it exits while we are not stopping."""
        while not self.stopping.is_set():
            await self._spawn(slot)
            assert slot.process is not None
            code = await slot.process.wait()
            if self.stopping.is_set():
                return
            lived = time.monotonic() - slot.started
            slot.backoff = RESTART_MIN if lived > HEALTHY_AFTER else min(slot.backoff * 2, RESTART_MAX)
            slot.restarts += 1
            log.error("worker %d exited (code %s); restarting in %.0f s", slot.index, code, slot.backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=slot.backoff)

    async def _stop_all(self) -> None:
        running = [s.process for s in self.slots if s.process and s.process.returncode is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), timeout=STOP_GRACE)
        except TimeoutError:
            for process in running:
                if process.returncode is None:
                    log.warning("worker pid %d did not stop in %.0f s; killed", process.pid, STOP_GRACE)
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
            await asyncio.gather(*(p.wait() for p in running))

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stopping.set)
        keepers = [asyncio.create_task(self._keep(slot)) for slot in self.slots]
        await self.stopping.wait()
        log.info("stopping %d workers...", self.count)
        await self._stop_all()
        await asyncio.gather(*keepers, return_exceptions=True)
        return 0
