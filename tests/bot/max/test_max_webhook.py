"""The MAX webhook: subscribed on start, updates fed to the same dispatcher, the secret checked."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from aiohttp import web

from bot.max.webhook import SECRET_HEADER, create_max_webhook_app, max_webhook_secret
from tests.bot.max_support import max_keyboard_texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_serves_updates(max_bot, max_dispatcher, max_settings, max_client) -> None:
    port = free_port()
    settings = max_settings.model_copy(update={"max_webhook_url": f"http://127.0.0.1:{port}/max/hook"})
    app = create_max_webhook_app(max_bot, max_dispatcher, settings)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        for _ in range(100):  # subscribed in the background
            if (await max_bot.get_webhook_info()).url:
                break
            await asyncio.sleep(0.05)
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
    finally:
        await runner.cleanup()


async def test_webhook_handles_at_most_the_configured_number_at_once(
    max_bot, max_settings, max_client
) -> None:
    from aiogram import Dispatcher
    from aiogram.types import Message

    port = free_port()
    settings = max_settings.model_copy(
        update={"max_webhook_url": f"http://127.0.0.1:{port}/max/hook", "update_concurrency": 2}
    )
    dp, busy, most = Dispatcher(), 0, 0

    @dp.message()
    async def slow(message: Message) -> None:
        nonlocal busy, most
        busy += 1
        most = max(most, busy)
        await asyncio.sleep(0.2)
        busy -= 1
        await message.answer(f"готово: {message.text}")

    runner = web.AppRunner(create_max_webhook_app(max_bot, dp, settings))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        for _ in range(100):  # subscribed in the background
            if (await max_bot.get_webhook_info()).url:
                break
            await asyncio.sleep(0.05)
        people = range(5_800_100, 5_800_106)
        for user_id in people:
            await max_client.register_user(user_id=user_id, first_name="Житель")
        for user_id in people:
            await max_client.send_text(user_id, f"сообщение {user_id}")
        for user_id in people:  # nothing is lost while the others wait their turn
            reply = await max_client.wait_for(user_id, contains="готово")
            assert reply["body"]["text"] == f"готово: сообщение {user_id}"
    finally:
        await runner.cleanup()
    assert most == 2
