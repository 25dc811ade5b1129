"""A broadcast whose sender process is killed (SIGKILL) half-way and restarted: every resident gets the
notice exactly once. The kill lands while the sender waits out a 429 ``retry_after`` — a moment with
no request in flight, the way a deploy or an OOM kill usually finds a sender throttled by Telegram —
so the check is exact: no duplicates, nothing lost, and the 429 pause kept by the restarted sender."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import OutboxMessage
from models.enums import OutboxStatus
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox
from services import outbox
from tests.sandbox_support import make_bot

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "4343:OUTBOX-kill-token"
RECIPIENTS = 40
RETRY_AFTER = 5
SENDER = """
import asyncio, sys
sys.path.insert(0, {root!r})
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from bot.outbox_sender import OutboxSender
from models.db import create_engine, create_session_factory

async def main():
    engine = create_engine({db!r})
    bot = Bot({token!r}, session=AiohttpSession(api=TelegramAPIServer.from_base({api!r})))
    sender = OutboxSender(bot, create_session_factory(engine), global_rate=20)
    await sender.run(asyncio.Event(), until_empty=True)

asyncio.run(main())
"""


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(bot_rate_per_sec=30, chat_rate_per_sec=1.0, chat_burst=1)


async def _count(factory: async_sessionmaker[AsyncSession], status: OutboxStatus) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).where(OutboxMessage.status == status)) or 0


async def _until(predicate) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(30):
        while not await predicate():  # noqa: ASYNC110 - polling another process, no event to wait on
            await asyncio.sleep(0.05)


async def test_killed_sender_resumes_without_duplicates_or_losses(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], sandbox: RunningSandbox
) -> None:
    async with SandboxClient(sandbox.base_url) as client:
        chats = [(await client.register_user(first_name=f"Житель {i}"))["id"] for i in range(RECIPIENTS)]
        async with session_factory() as session:
            messages = [
                outbox.text_message(c, f"Отключение воды, дом {c}", dedup_key=f"kill:{c}") for c in chats
            ]
            await outbox.enqueue_many(session, messages, batch="kill")
            await session.commit()

        script = SENDER.format(root=str(ROOT), db=settings.database_url, token=TOKEN, api=sandbox.base_url)
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
        try:
            await _until(lambda: _sent_at_least(session_factory, RECIPIENTS // 3))
            await client.inject_faults("sendMessage", 429, 1, retry_after=RETRY_AFTER)
            await _until(lambda: _rate_limited(client))
            fault_seen_at = time.time()
            await asyncio.sleep(1.0)  # requests already on the wire have finished and been recorded
            process.send_signal(signal.SIGKILL)
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        sent_before = await _count(session_factory, OutboxStatus.SENT)
        assert RECIPIENTS // 3 <= sent_before < RECIPIENTS  # really killed half-way

        bot = make_bot(sandbox.base_url, TOKEN)
        try:
            await OutboxSender(bot, session_factory, global_rate=20).drain(max_seconds=40)
        finally:
            await bot.session.close()

        stats = await client.stats()
        assert stats["duplicates"] == 0
        assert stats["totals"]["faults"] == 1  # the injected 429 ...
        assert stats["totals"]["rate_limited"] == 0  # ... and no 429 earned by sending too fast
        for chat in chats:
            texts = [m["text"] for m in await client.bot_messages(chat)]
            assert texts == [f"Отключение воды, дом {chat}"]
        # The restarted sender kept Telegram's 5-second pause although the process that got the 429 died.
        during_pause = [
            c["first_send_at"]
            for c in stats["chats"].values()
            if fault_seen_at + 0.5 <= c["first_send_at"] < fault_seen_at + RETRY_AFTER - 0.5
        ]
        assert during_pause == []
    assert await _count(session_factory, OutboxStatus.SENT) == RECIPIENTS
    async with session_factory() as session:
        progress = await outbox.batch_progress(session, "kill")
    assert (progress.total, progress.sent, progress.pending) == (RECIPIENTS, RECIPIENTS, 0)


async def _sent_at_least(factory: async_sessionmaker[AsyncSession], n: int) -> bool:
    return await _count(factory, OutboxStatus.SENT) >= n


async def _rate_limited(client: SandboxClient) -> bool:
    return (await client.stats())["totals"]["faults"] >= 1  # our injected 429 was answered
