"""A quick user never loses a reply: under Telegram's own limits (the sandbox's defaults: 30 msg/s
per bot, 1 msg/s per chat with a burst of 3) and the bot's default pacing, every reply arrives and
the sandbox never has to answer 429; a 429 that comes anyway is waited out, and the error
handler's apology waits for the pause to end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox
from tests.bot.appeals_support import catalog_fixture, open_form  # noqa: F401 - fixture
from tests.bot.conftest import Chat
from tests.sandbox_support import running_sandbox

# A resident's free text is answered with an offer to send it as an appeal (handlers/appeals/offer.py).
FREE_TEXT_REPLY = "Отправить это в администрацию как обращение?"
APOLOGY = "Что-то пошло не так, мы уже разбираемся."


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox(SandboxConfig()) as running:  # strict: Telegram's numbers, limits enforced
        yield running


@pytest.fixture
def bot_settings(settings: Settings, sandbox: RunningSandbox) -> Settings:
    return settings.model_copy(update={"bot_api_url": sandbox.base_url})  # default pacing


async def bot_texts(client: SandboxClient, user_id: int, count: int, *, within: float = 15.0) -> list[str]:
    """The texts of the chat's first ``count`` bot messages, once that many have arrived."""
    deadline = time.monotonic() + within
    while True:
        texts = [m.get("text") or "" for m in await client.bot_messages(user_id)]
        if len(texts) >= count:
            return texts
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(texts)} of {count} replies arrived: {texts}")
        await asyncio.sleep(0.05)


async def rate_limited(client: SandboxClient) -> int:
    stats: dict[str, Any] = await client.stats()
    return int(stats["totals"]["rate_limited"])


async def test_four_messages_in_one_second_get_four_replies(new_chat, client: SandboxClient, catalog) -> None:
    chat: Chat = await new_chat()
    started = time.monotonic()
    for n in range(4):
        await client.send_text(chat.user_id, f"когда починят дорогу? ({n})")
    assert time.monotonic() - started < 1.0

    texts = await bot_texts(client, chat.user_id, 4)
    assert len(texts) == 4 and all(text.startswith(FREE_TEXT_REPLY) for text in texts)
    # One chat gets about one message a second: the bot paced itself instead of drawing 429s.
    assert time.monotonic() - started >= 1.5
    assert await rate_limited(client) == 0

    # A conversation step right after: the old prompt is edited and the next prompt still arrives.
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.reply("Тема: Благоустройство")
    await chat.reply("Опишите проблему")
    assert await rate_limited(client) == 0


async def test_a_429_on_a_reply_is_waited_out_and_the_reply_delivered(new_chat, client) -> None:
    chat: Chat = await new_chat()
    await client.inject_faults("sendMessage", 429, 1, retry_after=2)
    started = time.monotonic()
    reply = await chat.send("когда починят дорогу?", expect=FREE_TEXT_REPLY)
    assert time.monotonic() - started >= 1.9  # Telegram's retry_after was respected
    assert reply["text"].startswith(FREE_TEXT_REPLY)
    assert len(await client.bot_messages(chat.user_id)) == 1  # delivered once, no apology
    stats = await client.stats()
    assert stats["totals"]["faults"] == 1 and stats["methods"]["sendMessage"] == 2


@pytest.fixture
def no_retry(bot_settings: Settings) -> None:
    bot_settings.send_retries = 0  # the bot fixture reads the settings when it is created


async def test_the_apology_waits_for_the_pause_to_end(no_retry, new_chat, client: SandboxClient) -> None:
    chat: Chat = await new_chat()
    await client.inject_faults("sendMessage", 429, 1, retry_after=2)
    started = time.monotonic()
    await client.send_text(chat.user_id, "когда починят дорогу?")
    # Without retries the reply fails; the error handler apologises, but only after retry_after.
    apology = await chat.reply(APOLOGY)
    assert time.monotonic() - started >= 1.9
    assert [m["text"] for m in await client.bot_messages(chat.user_id)] == [apology["text"]]
    stats = await client.stats()
    assert stats["methods"]["sendMessage"] == 2 and stats["totals"]["rate_limited"] == 0
