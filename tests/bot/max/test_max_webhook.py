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
