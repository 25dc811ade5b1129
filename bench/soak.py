"""Soak: the real service (``python -m porucheno run``) for 30 minutes against the sandbox, with faults.

The sandbox (Telegram's limits on) runs in this process; Porucheno is a child process long-polling it,
on PostgreSQL (a fresh database) + Redis (FSM storage, shared send rate) when they answer, else
SQLite. Load: ``--residents`` people each writing ``/start`` or a question every few seconds and
waiting for the bot's answer, and an outage notice queued for all of them every ``--notice-every``
seconds (rows put in the outbox, as publishing a notice does; the service's sender delivers them).

Faults, spread over the run: Bot API 502 answers (the sandbox's fault injection), Bot API hangs (the
next requests stall ``HANG_SECONDS`` before being answered), the service killed with SIGKILL and
started again (early in the run, so the last process lives long enough to watch its memory), and the
service's database connections cut (PostgreSQL: ``pg_terminate_backend`` of the soak database's
backends. A real server restart would cut every other user of this shared server, so it is
simulated thus; on SQLite there is nothing to cut).

Prints one JSON object: updates sent / answered / lost (unanswered after a grace period), notices
queued × residents vs delivered, duplicate notices (one notice twice in one chat), 429s and the
service's RSS one minute after its last start vs at the end (growth ÷ that). Targets (issue #18):
0 lost updates, 0 duplicate notifications, memory growth < 10 %.

Usage: python bench/soak.py [--minutes 30] [--residents 40] [--backend auto|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import sandbox.bot_api as sandbox_api
from bench._common import PG_URL
from bench.throughput import _free_port, _rss
from models.db import create_engine, create_session_factory
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox, start_sandbox
from services import outbox

TOKEN = "777778:BENCH-soak-token-0123456789abcdef"
HANG_SECONDS = 8.0
NOTICE_MARK = re.compile(r"\[soak #(\d+)\]")
QUESTIONS = ["/start", "Когда дадут горячую воду?", "/start", "Здравствуйте, у нас нет света"]


class Watch:
    """Hooks the sandbox: which user messages got an answer, which notices reached which chat."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.pending: dict[int, deque[float]] = {}
        self.sent = self.answered = 0
        self.latencies: list[float] = []
        self.notices: Counter[tuple[int, int]] = Counter()
        state = sandbox.state
        original = state.add_message

        def add_message(chat: Any, content: dict[str, Any], **kwargs: Any) -> Any:
            message = original(chat, content, **kwargs)
            if kwargs.get("bot") is not None:
                found = NOTICE_MARK.search(str(content.get("text") or ""))
                if found:
                    self.notices[(chat.id, int(found.group(1)))] += 1
                elif self.pending.get(chat.id):
                    self.latencies.append(time.monotonic() - self.pending[chat.id].popleft())
                    self.answered += 1
            return message

        state.add_message = add_message  # type: ignore[method-assign]

    def wrote(self, chat_id: int) -> None:
        self.pending.setdefault(chat_id, deque()).append(time.monotonic())
        self.sent += 1

    def unanswered(self) -> int:
        return sum(len(q) for q in self.pending.values())

    def unanswered_chats(self) -> list[int]:
        return [chat for chat, queue in self.pending.items() if queue]


class Hangs:
    """The next ``count`` Bot API calls stall before being answered (a slow, not a dead, API)."""

    def __init__(self) -> None:
        self.remaining = 0
        original = sandbox_api.call_method

        async def call_method(*args: Any, **kwargs: Any) -> Any:
            if self.remaining > 0:
                self.remaining -= 1
                await asyncio.sleep(HANG_SECONDS)
            return await original(*args, **kwargs)

        sandbox_api.call_method = call_method  # handle_method looks it up at call time


class Service:
    """The ``porucheno run`` child: started, killed, restarted; its RSS watched."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log = log_path.open("ab")
        self.proc: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self.starts = 0
        self.rss_at_1min: float | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "porucheno",
            "run",
            cwd=str(ROOT),
            env={**os.environ, **self.env},
            stdout=self.log,
            stderr=self.log,
        )
        self.started_at = time.monotonic()
        self.starts += 1
        self.rss_at_1min = None

    def sample(self) -> None:
        if self.proc and self.rss_at_1min is None and time.monotonic() - self.started_at >= 60:
            self.rss_at_1min = _rss(self.proc.pid).get("VmRSS")

    def rss(self) -> float | None:
        return _rss(self.proc.pid).get("VmRSS") if self.proc else None

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        return self.proc.returncode


async def _resident(
    sandbox: RunningSandbox, watch: Watch, user: Any, until: float, rng: random.Random
) -> None:
    state = sandbox.state
    chat = state.chats[user.id]
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(3.0, 12.0))
        if time.monotonic() >= until:
            return
        watch.wrote(chat.id)
        state.user_message(chat, user, {"text": rng.choice(QUESTIONS)})
        deadline = time.monotonic() + 120
        while watch.pending.get(chat.id) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # further replies to this update settle before the next one


async def _notices(factory: Any, chats: list[int], every: float, until: float, log: list[int]) -> None:
    number = 0
    while time.monotonic() + every < until:
        await asyncio.sleep(every)
        number += 1
        async with factory() as session:
            await outbox.enqueue_many(
                session,
                [
                    outbox.text_message(c, f"Плановое отключение воды, дом {number} [soak #{number}]")
                    for c in chats
                ],
                batch=f"soak-{number}",
            )
            await session.commit()
        log.append(number)


async def _cut_connections(admin_url: str | None, database: str | None) -> int:
    """What a PostgreSQL restart does to the service: every connection it holds dies."""
    if admin_url is None:
        return 0
    engine = create_engine(admin_url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            )
            return int(result.scalar() or 0)
    finally:
        await engine.dispose()


def _schedule(total: float) -> list[tuple[float, str]]:
    """Faults at fractions of the run; the kills early, the last process runs the longest."""
    events = [(0.12, "kill"), (0.25, "kill")]
    cycle = [(0.0, "502"), (0.25, "hang"), (0.5, "db"), (0.75, "502")]
    cycles = max(1, round(total / 300))  # one round of API/db faults every ~5 minutes
    for n in range(cycles):
        for offset, kind in cycle:
            events.append((0.08 + 0.84 * (n + offset) / cycles, kind))
    return sorted((fraction * total, kind) for fraction, kind in events)


async def _create_pg_database() -> tuple[str, str] | None:
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"soak_{uuid.uuid4().hex[:8]}"
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # no server: SQLite instead
        return None
    finally:
        await admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name, name


async def _drop_pg_database(name: str) -> None:
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def _redis_url(db: int) -> str | None:
    try:
        from redis.asyncio import Redis

        client = Redis.from_url(f"redis://127.0.0.1:6379/{db}")
        try:
            # The soak's own database, emptied: the sandbox numbers updates from 1 again, and the
            # service would drop them as already handled (bot/update_dedup.py) by an earlier run.
            await client.flushdb()
        finally:
            await client.aclose()
    except Exception:
        return None
    return f"redis://127.0.0.1:6379/{db}"


async def soak(args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    pg = await _create_pg_database() if args.backend != "sqlite" else None
    if args.backend == "postgresql" and pg is None:
        raise SystemExit("PostgreSQL does not answer at " + PG_URL)
    url = pg[0] if pg else f"sqlite+aiosqlite:///{tmp}/soak.sqlite3"
    redis = await _redis_url(args.redis_db) if pg else None
    port = _free_port()
    sandbox = await start_sandbox(SandboxConfig(), port=port)  # Telegram's limits
    watch, hangs = Watch(sandbox), Hangs()
    env = {
        "PORUCHENO_BOT_TOKEN": TOKEN,
        "PORUCHENO_BOT_API_URL": f"http://127.0.0.1:{port}",
        "PORUCHENO_DATABASE_URL": url,
        "PORUCHENO_SECRET_KEY": "soak-secret-key-0123456789-0123456789",
        "PORUCHENO_ADMIN_PORT": str(_free_port()),
        "PORUCHENO_FILES_DIR": f"{tmp}/files",
        "PORUCHENO_LOG_LEVEL": "WARNING",
        **({"PORUCHENO_REDIS_URL": redis} if redis else {}),
    }
    log_path = Path(args.log or f"{tmp}/service.log")
    service = Service(env, log_path)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    faults: Counter[str] = Counter()
    notices: list[int] = []
    rss_end = None
    rss_window = 0.0
    try:
        await service.start()
        state = sandbox.state
        users = [state.register_user(None, f"Житель {i}") for i in range(args.residents)]
        # Up before the load starts: every resident's first /start answered (migrations, warm-up).
        for user in users:
            watch.wrote(user.id)
            state.user_message(state.chats[user.id], user, {"text": "/start"})
        deadline = time.monotonic() + 180
        while watch.unanswered() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        if watch.unanswered():
            raise RuntimeError(f"the service answered {watch.answered} of {len(users)} first /start")
        await asyncio.sleep(2)

        total = args.minutes * 60
        t0 = time.monotonic()
        until = t0 + total
        rng = random.Random(18)
        load = [asyncio.create_task(_resident(sandbox, watch, u, until, random.Random(u.id))) for u in users]
        load.append(
            asyncio.create_task(_notices(factory, [u.id for u in users], args.notice_every, until, notices))
        )
        for at, kind in _schedule(total):
            while time.monotonic() < t0 + at:
                service.sample()
                await asyncio.sleep(min(1.0, max(0.0, t0 + at - time.monotonic())))
            if kind == "kill":
                await service.kill()
                await asyncio.sleep(rng.uniform(1, 3))
                await service.start()
            elif kind == "502":
                state.faults.add("*", 502, 10)
            elif kind == "hang":
                hangs.remaining = 10
            elif kind == "db":
                faults["db_connections_cut"] += await _cut_connections(
                    PG_URL if pg else None, pg[1] if pg else None
                )
            faults[kind] += 1
            print(f"soak: {kind} at {at:.0f}s", file=sys.stderr, flush=True)
        while time.monotonic() < until:
            service.sample()
            await asyncio.sleep(1.0)
        rss_end = service.rss()
        rss_window = time.monotonic() - service.started_at - 60
        await asyncio.gather(*load)
        # Grace: what was queued or asked last (and waits behind 429 pauses) still goes out.
        expected = len(notices) * len(users)
        grace = time.monotonic() + args.grace
        while time.monotonic() < grace and (watch.unanswered() or len(watch.notices) < expected):
            await asyncio.sleep(1.0)
        stats = state.stats.to_json()
    finally:
        code = await service.stop()
        await sandbox.stop()
        await engine.dispose()
        if pg:
            await _drop_pg_database(pg[1])
    lat = sorted(watch.latencies)
    rss1 = service.rss_at_1min
    return {
        "benchmark": "soak",
        "backend": "postgresql" if pg else "sqlite",
        "redis": bool(redis),
        "minutes": args.minutes,
        "residents": len(users),
        "updates_sent": watch.sent,
        "updates_answered": watch.answered,
        "lost_updates": watch.unanswered(),
        # Of those, in chats where the sandbox answered a request with an injected error (502):
        # the bot had the update, its reply (and the error handler's apology) drew the 502.
        "lost_in_chats_hit_by_502": sum(
            len(watch.pending[c])
            for c in watch.unanswered_chats()
            if stats["chats"].get(str(c), {}).get("faults")
        ),
        "answer_p50_ms": round(lat[len(lat) // 2] * 1000, 1) if lat else None,
        "answer_max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "notices_queued": len(notices) * len(users),
        "notices_delivered": len(watch.notices),
        "duplicate_notifications": sum(n - 1 for n in watch.notices.values()),
        "http_429": stats["totals"]["rate_limited"],
        "faults": dict(faults),
        "service_starts": service.starts,
        "exit_code": code,
        "rss_mb_at_1min": rss1,
        "rss_mb_end": rss_end,
        "rss_growth": round(rss_end / rss1 - 1, 3) if rss1 and rss_end else None,
        "rss_window_s": round(rss_window) if rss1 else None,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--notice-every", type=float, default=45.0, help="seconds between notices")
    parser.add_argument("--backend", choices=["auto", "sqlite", "postgresql"], default="auto")
    parser.add_argument("--redis-db", type=int, default=10, help="emptied at start")
    parser.add_argument("--grace", type=float, default=90.0, help="seconds to wait for the last answers")
    parser.add_argument("--log", help="keep the service's log in this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(await soak(args, tmp), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
