"""Rate limits (per chat, per bot, per group), runtime limit changes and fault injection."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError

from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox

from .conftest import make_bot


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(
        chat_rate_per_sec=20, chat_burst=3, bot_rate_per_sec=20, bot_burst=5, group_per_minute=2
    )


async def test_burst_to_one_chat_gets_429_with_retry_after(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    for n in range(3):
        await bot.send_message(user["id"], f"#{n}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user["id"], "one too many")
    assert caught.value.retry_after >= 1
    await asyncio.sleep(0.06)  # one token refills at 20/s
    await bot.send_message(user["id"], "after waiting")
    chat = (await client.stats())["chats"][str(user["id"])]
    assert (chat["sent"], chat["rate_limited"]) == (4, 1)
    assert chat["first_send_at"] <= chat["last_send_at"]


async def test_per_bot_limit_spans_chats(bot: Bot, client: SandboxClient, make_user: Any) -> None:
    users = [await make_user(f"u{n}") for n in range(6)]
    for u in users[:5]:
        await bot.send_message(u["id"], "broadcast")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(users[5]["id"], "broadcast")
    assert caught.value.retry_after >= 1
    assert (await client.stats())["bots"]["123456"]["rate_limited"] == 1


async def test_other_bot_has_its_own_bucket(sandbox: RunningSandbox, bot: Bot, make_user: Any) -> None:
    users = [await make_user(f"u{n}") for n in range(6)]
    for u in users[:5]:
        await bot.send_message(u["id"], "from bot one")
    other = make_bot(sandbox.base_url, "777:OTHER")
    try:
        sent = await other.send_message(users[5]["id"], "from bot two")
        assert sent.from_user is not None and sent.from_user.id == 777
    finally:
        await other.session.close()


async def test_group_limit_per_minute(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    group = await client.create_group("Штаб", [user["id"]])
    for n in range(2):
        await bot.send_message(group["id"], f"group #{n}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(group["id"], "third")
    assert caught.value.retry_after >= 25  # 2/min refills one message every 30 s


async def test_media_group_counts_its_items(bot: Bot, user: dict[str, Any]) -> None:
    from aiogram.types import BufferedInputFile, InputMediaDocument

    await bot.send_message(user["id"], "one")
    media = [InputMediaDocument(media=BufferedInputFile(bytes([n]), f"{n}.txt")) for n in range(3)]
    with pytest.raises(TelegramRetryAfter):
        await bot.send_media_group(user["id"], media=media)  # 1 + 3 > burst of 3


async def test_limits_change_at_runtime(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    limits = await client.set_limits(chat_burst=1, chat_rate_per_sec=0.5)
    assert limits["chat_burst"] == 1
    await bot.send_message(user["id"], "first")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user["id"], "second")
    assert caught.value.retry_after == 2
    await client.set_limits(enforce_limits=False)
    for n in range(10):
        await bot.send_message(user["id"], f"free #{n}")


async def test_injected_faults(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    await client.inject_faults("sendMessage", 502, count=1)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(user["id"], "lost")
    await bot.send_message(user["id"], "delivered")
    await client.inject_faults("sendMessage", 429, count=1, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user["id"], "throttled")
    assert caught.value.retry_after == 7
    stats = await client.stats()
    assert stats["chats"][str(user["id"])]["faults"] == 2
    assert [m["text"] for m in await client.transcript(user["id"])] == ["delivered"]
