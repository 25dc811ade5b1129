"""Shared pieces of the MAX end-to-end tests: outbox senders per messenger, staff bound through
invite deep links, and readers of the MAX transcript (texts, buttons, attachments)."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from porucheno.settings import Settings
from services.messengers import Messenger
from tests.bot.conftest import make_invite
from tests.bot.max_support import MaxChat


def text_of(message: dict[str, Any]) -> str:
    """What the person reads: MAX renders ``format: html``, so tags go and entities are decoded."""
    text = message["body"].get("text") or ""
    if message.get("format") == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def labels(message: dict[str, Any]) -> list[str]:
    """Inline (callback / link / message) button labels of a MAX message, in order."""
    from sandbox.max.client import buttons_of

    return [b["text"] for row in buttons_of(message) for b in row]


def attachments(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a for a in message["body"].get("attachments") or [] if a.get("type") == kind]


def sender(
    bot: Bot, session_factory: async_sessionmaker[AsyncSession], settings: Settings, messenger: Messenger
) -> OutboxSender:
    return OutboxSender(
        bot,
        session_factory,
        global_rate=100,
        chat_interval=0,
        files_dir=settings.files_dir,
        messenger=messenger,
    )


@asynccontextmanager
async def draining(*senders: OutboxSender) -> AsyncIterator[None]:
    """Drain the senders in a loop (never overlapping, as tests/bot/assignments_support.py does)."""
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            for s in senders:
                await s.drain()
            await asyncio.sleep(0.03)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture(name="max_outbox")
async def max_outbox_fixture(
    max_bot: Bot, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[OutboxSender]:
    """The real outbox sender for MAX chats, draining in the background."""
    s = sender(max_bot, session_factory, settings, Messenger.MAX)
    async with draining(s):
        yield s


async def bind_in_max(
    session_factory: async_sessionmaker[AsyncSession], chat: MaxChat, user_id: int
) -> dict[str, Any]:
    """The person opens the invite deep link in MAX (``bot_started`` with ``inv_<token>``)."""
    token = await make_invite(session_factory, user_id)
    return await chat.start(f"inv_{token}", expect="Готово")
