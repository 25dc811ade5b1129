"""A 1,000-recipient broadcast through the outbox while 20 residents talk to the bot: replies and the
broadcast share one pacer, replies go first, nothing is lost and the sandbox never answers 429.

To keep the test short the sandbox's per-bot limit is doubled (60 msg/s, burst 60) and so is the
bot's pacing (56 msg/s), which keeps Telegram's ratio (28 of 30); per-chat limits stay Telegram's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_bot, create_pacer
from bot.outbox_sender import OutboxSender
from bot.pacing import Pacer
from models import OutboxMessage
from models.enums import OutboxStatus
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox
from services import outbox
from tests.bot.appeals_support import catalog_fixture, open_form  # noqa: F401 - fixture
from tests.bot.conftest import Chat
from tests.sandbox_support import running_sandbox

SCALE = 2  # the sandbox's and the bot's global rates, both times Telegram's
RECIPIENTS = 1000
TALKERS = 20
NOTICE = "Плановое отключение горячей воды 25.11 с 09:00 до 18:00"


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    config = SandboxConfig(bot_rate_per_sec=30 * SCALE, bot_burst=30 * SCALE)  # per chat: 1/s, burst 3
    async with running_sandbox(config) as running:
        yield running


@pytest.fixture
def bot_settings(settings: Settings, sandbox: RunningSandbox) -> Settings:
    return settings.model_copy(update={"bot_api_url": sandbox.base_url, "send_rate": 28.0 * SCALE})


@pytest.fixture
def pacer(bot_settings: Settings) -> Pacer:
    return create_pacer(bot_settings)


@pytest.fixture
async def bot(bot_settings: Settings, pacer: Pacer) -> AsyncIterator[Bot]:
    instance = create_bot(bot_settings, pacer=pacer)
    try:
        yield instance
    finally:
        await instance.session.close()


async def pending(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        query = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        return await session.scalar(query) or 0


async def talk(chat: Chat) -> None:
    """Open «Write an appeal», choose a topic: every reply and prompt must come."""
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.reply("Тема: Благоустройство")
    await chat.reply("Опишите проблему")
    await chat.send("Во дворе не вывозят мусор.", expect="Символов в тексте")


async def test_broadcast_while_twenty_users_talk(
    new_chat,
    client: SandboxClient,
    catalog,
    bot: Bot,
    pacer: Pacer,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    talkers: list[Chat] = [await new_chat(f"Житель {n}") for n in range(TALKERS)]
    others = await asyncio.gather(
        *(client.register_user(first_name=f"Подписчик {n}") for n in range(RECIPIENTS - TALKERS))
    )
    recipients = [c.user_id for c in talkers] + [u["id"] for u in others]
    async with session_factory() as session:
        notices = [outbox.text_message(c, NOTICE, dedup_key=f"outage:{c}") for c in recipients]
        await outbox.enqueue_many(session, notices, batch="outage")
        await session.commit()

    sender = OutboxSender(
        bot,
        session_factory,
        global_rate=bot_settings.send_rate,
        chat_interval=bot_settings.outbox_chat_interval,
        pacer=pacer,
    )
    started = time.monotonic()
    broadcast = asyncio.create_task(sender.run(asyncio.Event(), until_empty=True))
    await asyncio.sleep(2)  # the broadcast is in full swing
    await asyncio.wait_for(asyncio.gather(*(talk(chat) for chat in talkers)), timeout=30)
    # Replies did not queue behind the broadcast: it was still going when every user was answered.
    assert await pending(session_factory) > 0
    await asyncio.wait_for(broadcast, timeout=60)
    assert time.monotonic() - started < 60

    stats = await client.stats()
    assert stats["totals"]["rate_limited"] == 0 and stats["duplicates"] == 0
    assert sender.stats["sent"] == RECIPIENTS and sender.stats["retry_after"] == 0
    for chat in talkers:
        texts = [m.get("text") or "" for m in await client.bot_messages(chat.user_id)]
        assert texts.count(NOTICE) == 1 and any("Символов в тексте" in t for t in texts)
