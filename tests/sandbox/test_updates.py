"""getUpdates semantics and webhook delivery."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiohttp import web

from sandbox.client import SandboxClient


async def test_offset_confirms_updates(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    for text in ("one", "two", "three"):
        await client.send_text(user["id"], text)
    updates = await bot.get_updates(limit=2)
    assert [u.message.text for u in updates if u.message] == ["one", "two"]
    assert updates[1].update_id == updates[0].update_id + 1
    again = await bot.get_updates()  # nothing confirmed yet
    assert len(again) == 3
    rest = await bot.get_updates(offset=updates[1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[0].update_id + 1) == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await client.send_text(user["id"], "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates if u.message] == ["wake up"]
    assert time.monotonic() - started < 1.5


async def test_long_poll_timeout_returns_empty_list(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 2


async def test_newer_poll_terminates_older_with_conflict(bot: Bot) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    newer = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(older, 2)
    assert await newer == []


async def test_allowed_updates_filter(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    await client.send_text(user["id"], "ignored")
    await client.block(user["id"])
    updates = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert [u.my_chat_member is not None for u in updates] == [True]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[dict[str, str], dict[str, Any]]]]]:
    """A local webhook endpoint that fails its first delivery and records the rest."""
    received: list[tuple[dict[str, str], dict[str, Any]]] = []
    calls = {"n": 0}

    async def hook(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return web.Response(status=500)
        received.append((dict(request.headers), await request.json()))
        update = received[-1][1]
        # Reply with a method call, which Telegram executes on the bot's behalf.
        return web.json_response(
            {"method": "sendMessage", "chat_id": update["message"]["chat"]["id"], "text": "получено"}
        )

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", received
    await runner.cleanup()


async def test_webhook_delivery_with_secret_and_retry(
    bot: Bot, client: SandboxClient, user: dict[str, Any], receiver: tuple[str, list[Any]]
) -> None:
    url, received = receiver
    assert await bot.set_webhook(url, secret_token="s3cr3t-token")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await client.send_text(user["id"], "через вебхук")
    reply = await client.wait_for(user["id"], contains="получено", timeout=5)
    assert reply["side"] == "bot"
    [(headers, update)] = received
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cr3t-token"
    assert update["message"]["text"] == "через вебхук"
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    assert info.last_error_message and "500" in info.last_error_message  # the first attempt failed
    assert await bot.delete_webhook()
    await client.send_text(user["id"], "снова поллинг")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["снова поллинг"]
