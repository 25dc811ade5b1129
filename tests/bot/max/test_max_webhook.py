"""The MAX webhook: subscribed on start, updates fed to the same dispatcher, the secret checked."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher
from aiohttp import web

from bot.max.webhook import SECRET_HEADER, create_max_webhook_app, max_webhook_secret
from porucheno.settings import Settings
from tests.bot.max_support import max_keyboard_texts
from tests.concurrency_probe import SlowReplies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def serving(bot: Bot, dp: Dispatcher, settings: Settings, **changes: Any) -> AsyncIterator[Settings]:
    """The webhook app on a free port, once MAX has the subscription; yields the settings it uses."""
    port = free_port()
    settings = settings.model_copy(update={"max_webhook_url": f"http://127.0.0.1:{port}/max/hook", **changes})
    runner = web.AppRunner(create_max_webhook_app(bot, dp, settings))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        for _ in range(100):  # subscribed in the background
            if (await bot.get_webhook_info()).url:
                break
            await asyncio.sleep(0.05)
        yield settings
    finally:
        await runner.cleanup()


async def test_webhook_serves_updates(max_bot, max_dispatcher, max_settings, max_client) -> None:
    async with serving(max_bot, max_dispatcher, max_settings) as settings:
        assert (await max_bot.get_webhook_info()).url == settings.max_webhook_url

        async with aiohttp.ClientSession() as http:
            async with http.post(settings.max_webhook_url, json={}, headers={SECRET_HEADER: "wrong"}) as resp:
                assert resp.status == 401
        assert max_webhook_secret(settings)

        native = 5_800_001
        await max_client.register_user(user_id=native, first_name="Вера")
        await max_client.send_text(native, "/start")
        reply = await max_client.wait_for(native, contains="Здравствуйте")
        assert reply["body"]["text"].startswith("Здравствуйте, Вера!")
        assert "Помощь" in max_keyboard_texts(reply)


async def test_webhook_handles_at_most_the_configured_number_at_once(
    max_bot, max_settings, max_client
) -> None:
    dp = Dispatcher()
    probe = SlowReplies(dp)
    async with serving(max_bot, dp, max_settings, update_concurrency=2):
        people = range(5_800_100, 5_800_106)
        for user_id in people:
            await max_client.register_user(user_id=user_id, first_name="Житель")
        for user_id in people:
            await max_client.send_text(user_id, f"сообщение {user_id}")
        for user_id in people:  # nothing is lost while the others wait their turn
            reply = await max_client.wait_for(user_id, contains="готово")
            assert reply["body"]["text"] == f"готово: сообщение {user_id}"
    assert probe.most == 2
