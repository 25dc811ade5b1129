"""Benchmark: updates handled per second by Porucheno against a bare aiogram echo bot, same run.

One loopback fake Bot API (the sandbox, in this process, with Telegram's limits lifted) serves every
bot in turn; each bot runs in a child process and long-polls it, as in production. ``users`` residents
first write ``/start`` once (their accounts exist afterwards, as in a working deployment), then:

* **saturation**: every resident writes ``/start`` at the same moment, ``rounds`` times; updates/s is
  the updates answered ÷ the wall time until each has its first reply;
* **steady**: ``rate`` updates/s spread evenly over ``seconds`` (one per resident in turn); the
  latency of an update is the time from the user's message to the bot's first reply (p50/p99);
* **memory**: the bot process's resident set after both (VmRSS) and its peak (VmHWM).

Porucheno runs as ``porucheno run`` on SQLite and on PostgreSQL (a fresh schema), with ``--workers
N`` as given (several workers need PostgreSQL, Redis and webhook mode: see README). Ratios are to the
echo bot of the same run: targets (issue #18) ≥ 0.5 updates/s, RSS ≤ 1.25, p99 < 50 ms at 50/s.

With several workers the set-up is also run with one process (``"layout": "workers"``, ``"workers":
1``): webhook, FSM, claims and send rate in Redis. Scaling is given against the single process
(``scaling_vs_1_worker``, the issue's figure) and against that one worker of the same set-up; with
``cpu_per_update_vs_1_worker`` they tell what the set-up costs from what the shared cores cost.

``--pairs K`` runs the echo bot and the single processes K times in turn, each ratio against the echo
run just before it, and ends with the medians: on a shared machine the speed drifts between runs a
minute apart by more than the margin to the target.

Usage: python bench/throughput.py [--users 200] [--rounds 5] [--rate 50] [--seconds 10] [--workers 4]
                                  [--backend sqlite|postgresql|both] [--pairs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text

from bench._common import PG_URL
from models.db import create_engine
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox, start_sandbox

TOKEN = "777777:BENCH-throughput-token-0123456789abcdef"

ECHO_BOT = """
import asyncio, sys
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

async def main():
    bot = Bot({token!r}, session=AiohttpSession(api=TelegramAPIServer.from_base({api!r})))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    await dp.start_polling(bot, handle_signals=True)

asyncio.run(main())
"""


class Replies:
    """Times of the bot's first reply after each user message, per chat (hooked into the sandbox)."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.waiting: dict[int, deque[float]] = {}
        self.latencies: list[float] = []
        self.answered = 0
        self.changed = asyncio.Event()
        state = sandbox.state
        original = state.add_message

        def add_message(chat: Any, content: dict[str, Any], **kwargs: Any) -> Any:
            message = original(chat, content, **kwargs)
            if kwargs.get("bot") is not None:
                queue = self.waiting.get(chat.id)
                if queue:
                    self.latencies.append(time.perf_counter() - queue.popleft())
                    self.answered += 1
                    self.changed.set()
            return message

        state.add_message = add_message  # type: ignore[method-assign]

    def sent(self, chat_id: int) -> None:
        self.waiting.setdefault(chat_id, deque()).append(time.perf_counter())

    async def until(self, answered: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.answered < answered:
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), min(left, 1.0))
            except TimeoutError:
                pass
        return True


def _rss(pid: int) -> dict[str, float]:
    fields: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return fields


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the supervisor and its workers, the render pool)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process tree (all threads) so far."""
    ticks = 0
    for member in _tree(pid):
        fields = _stat(member)
        if fields:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _worker_rss(pid: int, workers: int) -> dict[str, float]:
    """RSS of the process that handles updates: the bot itself, or (several workers) their mean."""
    if workers <= 1:
        return _rss(pid)
    members = [m for m in _tree(pid) if m != pid]
    sizes = [_rss(m) for m in members]
    sizes = [s for s in sizes if s.get("VmRSS", 0) > 100]  # the workers, not small helpers
    if not sizes:
        return {}
    return {name: round(sum(s[name] for s in sizes) / len(sizes), 1) for name in ("VmRSS", "VmHWM")}


async def _measure(sandbox: RunningSandbox, args: argparse.Namespace, pid: int) -> dict[str, Any]:
    state = sandbox.state
    replies = Replies(sandbox)
    users = [state.register_user(None, f"Житель {i}") for i in range(args.users)]
    chats = [state.chats[u.id] for u in users]

    def write(index: int) -> None:
        chat, user = chats[index], users[index]
        replies.sent(chat.id)
        state.user_message(chat, user, {"text": "/start"})

    # Warm-up: accounts created, caches and connections warm; also waits for the bot to start.
    for i in range(len(users)):
        write(i)
    if not await replies.until(len(users), seconds=180):
        raise RuntimeError(f"the bot answered {replies.answered} of {len(users)} warm-up messages")
    await asyncio.sleep(1.0)  # replies beyond the first (menus) settle
    replies.latencies.clear()
    print("saturation", file=sys.stderr, flush=True)  # a profiler may attach now

    started, cpu = time.perf_counter(), _cpu_seconds(pid)
    for _ in range(args.rounds):
        target = replies.answered + len(users)
        for i in range(len(users)):
            write(i)
        if not await replies.until(target, seconds=300):
            raise RuntimeError("the bot stopped answering during the saturation rounds")
    wall = time.perf_counter() - started
    saturation = len(users) * args.rounds / wall
    cpu_ms = (_cpu_seconds(pid) - cpu) * 1000 / (len(users) * args.rounds)
    await asyncio.sleep(1.0)

    replies.latencies.clear()
    total = int(args.rate * args.seconds)
    target = replies.answered + total
    t0 = time.perf_counter()
    for n in range(total):
        delay = t0 + n / args.rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        write(n % len(users))
    await replies.until(target, seconds=120)
    lat = [s * 1000 for s in replies.latencies]
    return {
        "updates_per_s": round(saturation, 1),
        "cpu_ms_per_update": round(cpu_ms, 2),
        "steady_rate": args.rate,
        "steady_answered": len(lat),
        "steady_sent": total,
        "p50_ms": round(statistics.median(lat), 1) if lat else None,
        "p99_ms": round(_percentile(lat, 0.99), 1) if lat else None,
    }


def _bot_env(api: str, database_url: str, tmp: str) -> dict[str, str]:
    return {
        "PORUCHENO_BOT_TOKEN": TOKEN,
        "PORUCHENO_BOT_API_URL": api,
        "PORUCHENO_DATABASE_URL": database_url,
        "PORUCHENO_SECRET_KEY": "bench-secret-key-0123456789-0123456789",
        "PORUCHENO_ADMIN_PORT": str(_free_port()),
        "PORUCHENO_FILES_DIR": f"{tmp}/files",
        "PORUCHENO_LOG_LEVEL": "WARNING",
        # Telegram's limits are lifted in the fake API for this measurement; the bot's own pacer too.
        "PORUCHENO_SEND_RATE": "1000000",
        "PORUCHENO_SEND_BURST": "1000000",
        "PORUCHENO_SEND_CHAT_RATE": "10000",
        "PORUCHENO_SEND_CHAT_BURST": "10000",
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _porucheno(
    backend: str, args: argparse.Namespace, workers: int = 1, *, layout: bool = False
) -> dict[str, Any]:
    """``layout``: the several-workers set-up (webhook, Redis) even for one process."""
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        else:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_URL)
            async with admin.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            await admin.dispose()
            url = f"{PG_URL}?search_path={schema}"
        try:
            return await _run_with_api(url, tmp, args, workers, layout)
        finally:
            if schema:
                admin = create_engine(PG_URL)
                async with admin.begin() as conn:
                    await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await admin.dispose()


async def _run_with_api(
    url: str, tmp: str, args: argparse.Namespace, workers: int, layout: bool
) -> dict[str, Any]:
    port = _free_port()
    env = _bot_env(f"http://127.0.0.1:{port}", url, tmp)
    argv = [sys.executable, "-m", "porucheno", "run"]
    if args.profile:
        argv[1:1] = ["-m", "cProfile", "-o", args.profile]
    if workers > 1 or layout:
        # Several workers: webhook mode on one port (SO_REUSEPORT), FSM, dedup and rates in Redis.
        hook_port = _free_port()
        env |= {
            "PORUCHENO_REDIS_URL": args.redis_url,
            "PORUCHENO_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/webhook",
            "PORUCHENO_WEBHOOK_SECRET": "bench-webhook-secret",
            "PORUCHENO_WEBHOOK_PORT": str(hook_port),
            # N pools within a stock server's 97 connections (README, "Several workers").
            "PORUCHENO_UPDATE_CONCURRENCY": "15",
            "PORUCHENO_DATABASE_MAX_OVERFLOW": "3",
        }
        argv += ["--workers", str(workers)]
        await _flush_redis(args.redis_url)  # the fake API's update ids start from 1 again
    return await _run_bot_on(port, argv, env, args, workers)


async def _flush_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def _run_bot_on(
    port: int, argv: list[str], env: dict[str, str], args: argparse.Namespace, workers: int = 1
) -> dict[str, Any]:
    sandbox = await start_sandbox(
        SandboxConfig(bot_rate_per_sec=1e6, bot_burst=10**6, chat_rate_per_sec=1e4, chat_burst=10**4),
        port=port,
    )
    log = tempfile.TemporaryFile()  # not a pipe: nobody reads it while the bot runs
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=str(ROOT), env={**os.environ, **env}, stdout=asyncio.subprocess.DEVNULL, stderr=log
    )
    try:
        figures = await _measure(sandbox, args, proc.pid)
        figures.update({f"{k}_mb": v for k, v in _worker_rss(proc.pid, workers).items()})
        return figures
    finally:
        if proc.returncode is None:
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 40)
        except TimeoutError:
            proc.kill()
        if proc.returncode not in (0, -15):
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-3000:])
        log.close()
        await sandbox.stop()


async def _echo(args: argparse.Namespace) -> dict[str, Any]:
    port = _free_port()
    script = ECHO_BOT.format(token=TOKEN, api=f"http://127.0.0.1:{port}")
    return await _run_bot_on(port, [sys.executable, "-c", script], {}, args)


def _ratios(ours: dict[str, Any], echo: dict[str, Any]) -> dict[str, Any]:
    return {
        "updates_ratio": round(ours["updates_per_s"] / echo["updates_per_s"], 3),
        "rss_ratio": round(ours.get("VmRSS_mb", 0) / max(echo.get("VmRSS_mb", 1), 1), 3),
        "p99_under_50ms": ours["p99_ms"] is not None and ours["p99_ms"] < 50,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", type=float, default=50.0, help="updates/s of the steady phase")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--profile", help="write a cProfile of Porucheno's process to this file")
    parser.add_argument("--no-echo", action="store_true", help="skip the anchor (profiling)")
    parser.add_argument(
        "--workers",
        type=lambda v: [int(n) for n in v.split(",")],
        default=[4],
        help="also run `porucheno run --workers N` on PostgreSQL + Redis for each N (comma-separated)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("PORUCHENO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="run the echo bot and the single processes this many times, alternating, each ratio to "
        "the echo run just before it, and print the medians (a shared machine drifts between runs)",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    several = [n for n in args.workers if n > 1]
    worker_runs = []
    if "postgresql" in backends and several:  # several workers need PostgreSQL (and Redis)
        # One process in the workers' set-up as well: what the set-up itself costs per update,
        # apart from how many cores the processes share.
        worker_runs = [1, *several]
    echo: dict[str, Any] | None = None
    single: dict[str, Any] | None = None
    ratios: dict[str, list[float]] = {backend: [] for backend in backends}
    cpu_ratios: dict[str, list[float]] = {backend: [] for backend in backends}
    for pair in range(args.pairs):
        if not args.no_echo:
            echo = await _echo(args)
            print(
                json.dumps({"benchmark": "throughput", "bot": "aiogram-echo", "pair": pair, **echo}),
                flush=True,
            )
        for backend in backends:
            ours = await _porucheno(backend, args)
            line = {"benchmark": "throughput", "bot": "porucheno", "backend": backend, "workers": 1}
            line |= {"layout": "single", "pair": pair, **ours}
            if echo:
                line |= _ratios(ours, echo)
                ratios[backend].append(line["updates_ratio"])
                cpu_ratios[backend].append(round(echo["cpu_ms_per_update"] / ours["cpu_ms_per_update"], 3))
            if backend == "postgresql":
                single = ours
            print(json.dumps(line), flush=True)
    if args.pairs > 1 and echo:
        summary = {"benchmark": "throughput", "summary": "median of alternating pairs", "pairs": args.pairs}
        summary |= {"updates_ratio": {b: statistics.median(r) for b, r in ratios.items()}}
        summary |= {"updates_ratios": ratios}
        # The echo bot's CPU per update over ours: the same target without the wall clock's noise.
        summary |= {"cpu_ratio": {b: statistics.median(r) for b, r in cpu_ratios.items()}}
        print(json.dumps(summary), flush=True)
    one_worker: dict[str, Any] | None = None
    for workers in worker_runs:
        ours = await _porucheno("postgresql", args, workers, layout=True)
        line = {"benchmark": "throughput", "bot": "porucheno", "backend": "postgresql", "workers": workers}
        line |= {"layout": "workers", **ours}
        if echo:
            line |= _ratios(ours, echo)
        if single is not None:
            line["scaling_vs_1_worker"] = round(ours["updates_per_s"] / single["updates_per_s"], 3)
            line["cpu_per_update_vs_1_worker"] = round(
                ours["cpu_ms_per_update"] / single["cpu_ms_per_update"], 2
            )
        if workers == 1:
            one_worker = ours
        elif one_worker is not None:
            line["scaling_vs_1_process_of_the_layout"] = round(
                ours["updates_per_s"] / one_worker["updates_per_s"], 3
            )
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
