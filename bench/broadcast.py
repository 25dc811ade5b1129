"""Benchmark: one outage notice to 10,000 subscribed residents through the outbox and the sandbox.

The sandbox enforces Telegram's limits (30 msg/s per bot, 1 msg/s per chat); the outbox sender runs
in a child process, built as ``porucheno run`` builds it (the settings' rates, the process's pacer).
Variants: ``normal``; ``sigterm`` (stopped half-way, restarted); ``sigkill`` (killed half-way without
warning, restarted); ``blocked`` and ``blocked-sigkill`` (3 % of the recipients blocked the bot).
One JSON object per variant: delivered, refused by blocked chats (403, counted apart), duplicates,
lost (recipients who did not block the bot and got nothing), 429s, wall time; ``rate_to_limit`` is
*delivered* messages per second ÷ Telegram's limit, ``requests_to_limit`` counts the refused sends
too (equal to it when a refusal cost no slot of the sender's pacing).

``first-notice``: the sender idle, one notice to one resident committed; the time from the commit
to the sandbox receiving it, ``--samples`` times (p50/max ms). Measured with the enqueue and the
sender in one process, as in production (the bot's process queues and its own sender sends, woken at
commit: models/db.py ``on_commit``).

Usage: python bench/broadcast.py [--recipients N] [--variants normal,sigkill,blocked,first-notice]
Targets (issue #18): rate ≥ 0.95 of the limit, 429s on ≤ 0.1 % of sends, 0 duplicates, 0 lost, with
3 % blocked and across kill -9; the first notice leaves within 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select

import models
from bot.factory import create_bot, create_pacer
from bot.outbox_sender import OutboxSender
from models import OutboxMessage
from models.db import create_engine, create_session_factory, on_commit
from models.enums import OutboxStatus
from porucheno.settings import Settings
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox, start_sandbox
from services import outbox

BOT_LIMIT = 30.0
TOKEN = "5555:BENCH-broadcast-token"
NOTICE = "Плановое отключение горячей воды 25.11 с 09:00 до 18:00"
BLOCKED_SHARE = 0.03
ALL_VARIANTS = "normal,sigterm,sigkill,blocked,blocked-sigkill,first-notice"

# The sender as the service builds it (porucheno/runtime.py): settings' rates, one pacer per process.
SENDER = """
import asyncio, signal, sys
sys.path.insert(0, {root!r})
from porucheno import lazy_aiogram
lazy_aiogram.install()  # as the entry point does, before aiogram is imported
from bot.factory import create_bot, create_pacer
from bot.outbox_sender import OutboxSender
from models.db import create_engine, create_session_factory
from porucheno.settings import Settings

async def main():
    settings = Settings(bot_token={token!r}, bot_api_url={api!r}, database_url={db!r}, **{over!r})
    engine = create_engine(settings.database_url)
    pacer = create_pacer(settings)
    bot = create_bot(settings, pacer=pacer)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sender = OutboxSender(bot, create_session_factory(engine), global_rate=settings.outbox_global_rate,
                          chat_interval=settings.outbox_chat_interval, pacer=pacer)
    await sender.run(stop, until_empty=True)
    await bot.session.close()
    await engine.dispose()

asyncio.run(main())
"""


async def count(factory, status: OutboxStatus) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return await session.scalar(select(func.count()).where(OutboxMessage.status == status)) or 0


async def _database(tmp: str) -> tuple[str, Any, Any]:
    db = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
    engine = create_engine(db)
    async with engine.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
    return db, engine, create_session_factory(engine)


def _sandbox_config() -> SandboxConfig:
    return SandboxConfig(bot_rate_per_sec=BOT_LIMIT, chat_rate_per_sec=1.0, chat_burst=1)


def _residents(sandbox: RunningSandbox, recipients: int, blocked_share: float) -> tuple[list[int], set[int]]:
    """Register the residents straight in the sandbox's state (HTTP would only slow the set-up)."""
    state = sandbox.state
    users = [state.register_user(None, f"Житель {i}") for i in range(recipients)]
    blocked = random.Random(18).sample(users, round(recipients * blocked_share))
    for user in blocked:
        state.set_blocked(user, True)
    return [u.id for u in users], {u.id for u in blocked}


async def run_variant(variant: str, recipients: int, overrides: dict[str, float]) -> dict[str, object]:
    kill = variant.split("-")[-1] if variant.endswith(("sigterm", "sigkill")) else None
    blocked_share = BLOCKED_SHARE if variant.startswith("blocked") else 0.0
    with tempfile.TemporaryDirectory() as tmp:
        db, engine, factory = await _database(tmp)
        sandbox = await start_sandbox(_sandbox_config())
        try:
            chats, blocked = _residents(sandbox, recipients, blocked_share)
            async with factory() as session:
                await outbox.enqueue_many(
                    session,
                    [outbox.text_message(c, NOTICE, dedup_key=f"bench:{c}") for c in chats],
                    batch="bench",
                )
                await session.commit()
            script = SENDER.format(root=str(ROOT), db=db, token=TOKEN, api=sandbox.base_url, over=overrides)
            started = time.monotonic()
            restarts = 0
            proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
            if kill:
                while await count(factory, OutboxStatus.SENT) < (recipients - len(blocked)) // 2:
                    await asyncio.sleep(0.2)
                proc.send_signal(signal.SIGTERM if kill == "sigterm" else signal.SIGKILL)
                await proc.wait()
                restarts = 1
                proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
            await proc.wait()
            wall = time.monotonic() - started
            stats = sandbox.state.stats.to_json()
        finally:
            await sandbox.stop()
        sent_rows = await count(factory, OutboxStatus.SENT)
        await engine.dispose()
    totals = stats["totals"]
    got = {int(c) for c, v in stats["chats"].items() if v["sent"] > 0}
    delivered, refused = totals["sent"], totals["forbidden"]
    # Over the span of the sends; refusals are spread through it like the deliveries.
    achieved = totals.get("achieved_rate") or (delivered / wall if wall else 0.0)
    requests_rate = achieved * (delivered + refused) / max(delivered, 1)
    return {
        "benchmark": "broadcast",
        "variant": variant,
        "recipients": recipients,
        "blocked_recipients": len(blocked),
        "restarts": restarts,
        "delivered": delivered,
        "refused_403": refused,
        "sent_to_blocked": len(got & blocked),
        "duplicates": stats["duplicates"],
        "lost": len(set(chats) - blocked - got),
        "outbox_rows_sent": sent_rows,
        "http_429": totals["rate_limited"],
        "http_429_share": round(totals["rate_limited"] / max(delivered + refused, 1), 5),
        "wall_seconds": round(wall, 1),
        "achieved_rate_per_s": round(achieved, 2),
        "rate_to_limit": round(achieved / BOT_LIMIT, 3),
        "requests_to_limit": round(requests_rate / BOT_LIMIT, 3),
    }


async def first_notice(samples: int, overrides: dict[str, float], gap: float) -> dict[str, object]:
    """Commit → received, with the sender idle (waiting on its poll) before each notice."""
    received: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db, engine, factory = await _database(tmp)
        sandbox = await start_sandbox(_sandbox_config())
        state = sandbox.state
        original = state.add_message

        def add_message(chat: Any, content: dict[str, Any], **kwargs: Any) -> Any:
            if kwargs.get("bot") is not None:
                received.setdefault(chat.id, time.perf_counter())
            return original(chat, content, **kwargs)

        state.add_message = add_message  # type: ignore[method-assign]
        chats, _ = _residents(sandbox, samples, 0.0)
        settings = Settings(bot_token=TOKEN, bot_api_url=sandbox.base_url, database_url=db, **overrides)
        pacer = create_pacer(settings)
        bot = create_bot(settings, pacer=pacer)
        sender = OutboxSender(
            bot,
            factory,
            global_rate=settings.outbox_global_rate,
            chat_interval=settings.outbox_chat_interval,
            pacer=pacer,
        )
        on_commit(factory, outbox.OUTBOX_SIGNAL, sender.notify)  # as porucheno/runtime.py wires it
        stop = asyncio.Event()
        task = asyncio.create_task(sender.run(stop))
        latencies, missed = [], 0
        try:
            for chat in chats:
                await asyncio.sleep(gap)  # the sender is idle, waiting for its next poll
                async with factory() as session:
                    await outbox.enqueue_many(session, [outbox.text_message(chat, NOTICE)])
                    await session.commit()
                committed = time.perf_counter()
                deadline = committed + 5.0
                while chat not in received and time.perf_counter() < deadline:
                    await asyncio.sleep(0.001)
                if chat in received:
                    latencies.append((received[chat] - committed) * 1000)
                else:
                    missed += 1
        finally:
            stop.set()
            await task
            await bot.session.close()
            await sandbox.stop()
            await engine.dispose()
    return {
        "benchmark": "broadcast",
        "variant": "first-notice",
        "samples": len(latencies),
        "missed": missed,
        "idle_poll_s": sender.idle_poll,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "within_100ms": bool(latencies) and max(latencies) <= 100 and not missed,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--variants", default=ALL_VARIANTS)
    parser.add_argument("--samples", type=int, default=20, help="first-notice samples")
    parser.add_argument("--rate", type=float, help="override outbox_global_rate and send_rate (msg/s)")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    overrides = {"outbox_global_rate": args.rate, "send_rate": args.rate} if args.rate else {}
    for variant in args.variants.split(","):
        if variant == "first-notice":
            result = await first_notice(args.samples, overrides, gap=1.5)
        else:
            result = await run_variant(variant, args.recipients, overrides)
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
