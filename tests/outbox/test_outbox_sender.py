"""The outbox sender against the sandbox: pacing, 429, 403, 5xx retries, restart without duplicates."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from bot.paced_requests import PacedRequests
from bot.pacing import Pacer
from models import OutboxMessage, TelegramAccount
from models.enums import OutboxStatus
from sandbox.client import SandboxClient
from sandbox.runner import RunningSandbox
from services import outbox
from tests.sandbox_support import make_bot


@pytest.fixture
async def bot(sandbox: RunningSandbox) -> AsyncIterator[Bot]:
    b = make_bot(sandbox.base_url, "4242:OUTBOX-test-token")
    yield b
    await b.session.close()


async def _users(client: SandboxClient, n: int) -> list[int]:
    return [(await client.register_user(first_name=f"Житель {i}"))["id"] for i in range(n)]


async def _queue(
    factory: async_sessionmaker[AsyncSession],
    chats: list[int],
    text: str = "Отключение воды",
    batch: str = "b1",
) -> None:
    async with factory() as session:
        await outbox.enqueue_many(
            session,
            [outbox.text_message(c, f"{text} для {c}", dedup_key=f"{batch}:{c}") for c in chats],
            batch=batch,
        )
        await session.commit()


async def _count(factory: async_sessionmaker[AsyncSession], status: OutboxStatus) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).where(OutboxMessage.status == status)) or 0


async def test_delivers_once_and_dedups_enqueue(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, client: SandboxClient
) -> None:
    chats = await _users(client, 5)
    await _queue(session_factory, chats)
    await _queue(session_factory, chats)  # the same notices again: dedup keys make it a no-op
    sender = OutboxSender(bot, session_factory, global_rate=100, chat_interval=1.0)
    await sender.drain()
    stats = await client.stats()
    assert stats["totals"]["sent"] == 5 and stats["duplicates"] == 0
    assert await _count(session_factory, OutboxStatus.SENT) == 5
    last = (await client.bot_messages(chats[0]))[-1]
    assert last["text"] == f"Отключение воды для {chats[0]}"
    async with session_factory() as session:
        progress = await outbox.batch_progress(session, "b1")
    assert (progress.total, progress.sent, progress.pending) == (5, 5, 0)


async def test_blocked_chat_is_marked_and_others_still_delivered(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, client: SandboxClient
) -> None:
    chats = await _users(client, 3)
    async with session_factory() as session:
        session.add(TelegramAccount(id=chats[1], chat_id=chats[1], first_name="Blocker"))
        await session.commit()
    await client.block(chats[1])
    await _queue(session_factory, chats)
    await OutboxSender(bot, session_factory, global_rate=100).drain()
    assert await _count(session_factory, OutboxStatus.SENT) == 2
    assert await _count(session_factory, OutboxStatus.DROPPED) == 1
    async with session_factory() as session:
        account = await session.get(TelegramAccount, chats[1])
        assert account is not None and account.blocked_at is not None
    assert (await client.stats())["totals"]["forbidden"] == 1


async def test_server_errors_are_retried_with_backoff(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, client: SandboxClient
) -> None:
    [chat] = await _users(client, 1)
    await client.inject_faults("sendMessage", 502, 1)
    await _queue(session_factory, [chat])
    sender = OutboxSender(bot, session_factory, global_rate=100)
    started = time.monotonic()
    await sender.drain(max_seconds=15)
    assert time.monotonic() - started >= 1.5  # waited for the backoff, did not hammer
    assert sender.stats["retried"] == 1 and sender.stats["sent"] == 1
    async with session_factory() as session:
        row = await session.scalar(select(OutboxMessage))
        assert row is not None and row.status == OutboxStatus.SENT and row.attempts == 2
        assert "502" in (row.last_error or "") or "Bad Gateway" in (row.last_error or "")


async def test_retry_after_pauses_every_send(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, client: SandboxClient
) -> None:
    chats = await _users(client, 3)
    await client.inject_faults("sendMessage", 429, 1, retry_after=2)
    await _queue(session_factory, chats)
    sender = OutboxSender(bot, session_factory, global_rate=100)
    started = time.monotonic()
    await sender.drain(max_seconds=15)
    assert sender.stats["retry_after"] == 1
    assert time.monotonic() - started >= 1.8
    assert (await client.stats())["totals"]["sent"] == 3
    assert await _count(session_factory, OutboxStatus.SENT) == 3


async def test_one_chat_is_paced_without_drawing_429(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, client: SandboxClient
) -> None:
    [chat] = await _users(client, 1)
    await client.set_limits(chat_burst=1)  # strict Telegram-like 1 msg/s for this chat
    async with session_factory() as session:
        await outbox.enqueue_many(session, [outbox.text_message(chat, f"Сообщение {i}") for i in range(3)])
        await session.commit()
    started = time.monotonic()
    await OutboxSender(bot, session_factory, global_rate=100, chat_interval=1.05).drain(max_seconds=15)
    assert time.monotonic() - started >= 2.0
    stats = await client.stats()
    assert stats["totals"]["sent"] == 3 and stats["totals"]["rate_limited"] == 0
    texts = [m["text"] for m in await client.bot_messages(chat)]
    assert texts == ["Сообщение 0", "Сообщение 1", "Сообщение 2"]


async def test_stop_midway_and_restart_loses_nothing_and_repeats_nothing(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, client: SandboxClient
) -> None:
    chats = await _users(client, 40)
    await _queue(session_factory, chats, batch="restart")
    stop = asyncio.Event()
    first = OutboxSender(bot, session_factory, global_rate=30)
    task = asyncio.create_task(first.run(stop))
    await asyncio.sleep(0.5)
    stop.set()
    await task
    sent_before = await _count(session_factory, OutboxStatus.SENT)
    assert 0 < sent_before < 40
    await OutboxSender(bot, session_factory, global_rate=30).drain()
    stats = await client.stats()
    assert stats["totals"]["sent"] == 40 and stats["duplicates"] == 0
    assert await _count(session_factory, OutboxStatus.SENT) == 40


async def test_two_senders_at_once_never_send_a_message_twice(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, client: SandboxClient
) -> None:
    chats = await _users(client, 20)
    async with session_factory() as session:
        # Two messages per chat, so stale reads and per-chat pacing interleave.
        await outbox.enqueue_many(
            session, [outbox.text_message(c, f"Notice {n} for {c}") for c in chats for n in range(2)]
        )
        await session.commit()
    await client.set_limits(enforce_limits=False)
    first = OutboxSender(bot, session_factory, global_rate=200, chat_interval=0)
    second = OutboxSender(bot, session_factory, global_rate=200, chat_interval=0)
    await asyncio.gather(first.drain(), second.drain())
    stats = await client.stats()
    assert stats["totals"]["sent"] == 40 and stats["duplicates"] == 0
    assert first.stats["sent"] + second.stats["sent"] == 40


async def test_a_429_drawn_by_the_outbox_holds_direct_replies_too(
    session_factory: async_sessionmaker[AsyncSession], client: SandboxClient, sandbox: RunningSandbox
) -> None:
    # One pacer for the process, as porucheno/runtime.py builds it: the bot's requests and the sender.
    pacer = Pacer()
    bot = make_bot(sandbox.base_url, "4243:OUTBOX-test-token")
    bot.session.middleware(PacedRequests(pacer))
    try:
        chats = await _users(client, 2)
        await client.inject_faults("sendMessage", 429, 1, retry_after=2)
        await _queue(session_factory, chats[:1])
        sender = OutboxSender(bot, session_factory, global_rate=100, pacer=pacer)
        started = time.monotonic()
        await sender.send_due()
        await sender.wait_idle()
        assert sender.stats["retry_after"] == 1  # handled (and stored) by the sender, not retried
        # A restarted sender keeps the stored pause, and so does the pacer it is given.
        fresh = Pacer()
        await OutboxSender(bot, session_factory, pacer=fresh).restore_pause()
        assert fresh.pause_remaining() > 1
        await bot.send_message(chats[1], "Ответ на сообщение")  # a handler's direct reply waits too
        assert time.monotonic() - started >= 1.8
        await OutboxSender(bot, session_factory, global_rate=100, pacer=pacer).drain(max_seconds=15)
        assert [m["text"] for m in await client.bot_messages(chats[0])] == [f"Отключение воды для {chats[0]}"]
        assert (await client.stats())["totals"]["rate_limited"] == 0
    finally:
        await bot.session.close()
