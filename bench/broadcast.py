"""Benchmark: one outage notice to 10,000 subscribed residents through the outbox and the sandbox.

The sandbox enforces Telegram's limits (30 msg/s per bot, 1 msg/s per chat); the outbox sender runs
in a child process. Variants: ``normal``; ``sigterm`` (stopped half-way, restarted); ``sigkill``
(killed half-way without warning, restarted). Prints one JSON object per variant with delivered,
duplicates, lost, 429s received, wall time and achieved rate ÷ limit.

Usage: python bench/broadcast.py [--recipients N] [--variants normal,sigterm,sigkill]
Target (issue #5): rate ≥ 0.9 of the limit, 429s on ≤ 0.1 % of sends, 0 duplicates, 0 lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select

import models
from models import OutboxMessage
from models.db import create_engine, create_session_factory
from models.enums import OutboxStatus
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.runner import start_sandbox
from services import outbox

BOT_LIMIT = 30.0
TOKEN = "5555:BENCH-broadcast-token"

SENDER = """
import asyncio, signal, sys
sys.path.insert(0, {root!r})
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from bot.outbox_sender import OutboxSender
from models.db import create_engine, create_session_factory

async def main():
    engine = create_engine({db!r})
    bot = Bot({token!r}, session=AiohttpSession(api=TelegramAPIServer.from_base({api!r})))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sender = OutboxSender(bot, create_session_factory(engine), global_rate={rate})
    await sender.run(stop, until_empty=True)
    await bot.session.close()
    await engine.dispose()

asyncio.run(main())
"""


async def count(factory, status: OutboxStatus) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return await session.scalar(select(func.count()).where(OutboxMessage.status == status)) or 0


async def run_variant(variant: str, recipients: int, rate: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        engine = create_engine(db)
        async with engine.begin() as conn:
            await conn.run_sync(models.Base.metadata.create_all)
        factory = create_session_factory(engine)
        sandbox = await start_sandbox(
            SandboxConfig(bot_rate_per_sec=BOT_LIMIT, chat_rate_per_sec=1.0, chat_burst=1)
        )
        try:
            async with SandboxClient(sandbox.base_url) as client:
                chats = [
                    (await client.register_user(first_name=f"Житель {i}"))["id"] for i in range(recipients)
                ]
                async with factory() as session:
                    await outbox.enqueue_many(
                        session,
                        [
                            outbox.text_message(
                                c,
                                "Плановое отключение горячей воды 25.11 с 09:00 до 18:00",
                                dedup_key=f"bench:{c}",
                            )
                            for c in chats
                        ],
                        batch="bench",
                    )
                    await session.commit()
                script = SENDER.format(root=str(ROOT), db=db, token=TOKEN, api=sandbox.base_url, rate=rate)
                started = time.monotonic()
                restarts = 0
                proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
                if variant != "normal":
                    while await count(factory, OutboxStatus.SENT) < recipients // 2:
                        await asyncio.sleep(0.2)
                    proc.send_signal(signal.SIGTERM if variant == "sigterm" else signal.SIGKILL)
                    await proc.wait()
                    restarts = 1
                    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
                await proc.wait()
                wall = time.monotonic() - started
                stats = await client.stats()
        finally:
            await sandbox.stop()
        sent_rows = await count(factory, OutboxStatus.SENT)
        await engine.dispose()
    totals = stats["totals"]
    delivered_unique = len(stats.get("chats", {})) if isinstance(stats.get("chats"), dict) else sent_rows
    accepted = totals["sent"]
    achieved = (totals.get("achieved_rate") or accepted / wall) if wall else 0.0
    return {
        "benchmark": "broadcast",
        "variant": variant,
        "recipients": recipients,
        "restarts": restarts,
        "delivered": accepted,
        "duplicates": stats["duplicates"],
        "lost": recipients - min(delivered_unique, recipients),
        "outbox_rows_sent": sent_rows,
        "http_429": totals["rate_limited"],
        "http_429_share": round(totals["rate_limited"] / max(accepted, 1), 5),
        "wall_seconds": round(wall, 1),
        "achieved_rate_per_s": round(achieved, 2),
        "rate_to_limit": round(achieved / BOT_LIMIT, 3),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--variants", default="normal,sigterm,sigkill")
    parser.add_argument("--rate", type=float, default=28.0, help="the outbox's configured global rate")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    for variant in args.variants.split(","):
        print(
            json.dumps(await run_variant(variant, args.recipients, args.rate), ensure_ascii=False), flush=True
        )


if __name__ == "__main__":
    asyncio.run(main())
