"""Running modes: polling that waits out an unreachable Bot API, and the webhook app."""

from __future__ import annotations

import asyncio
import logging
import socket

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.factory import create_bot, create_dispatcher
from bot.runner import create_webhook_app, run_polling, webhook_secret
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.runner import start_sandbox
from tests.concurrency_probe import SlowReplies


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _until(condition, within: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_polling_waits_for_the_bot_api_then_serves(settings: Settings, session_factory, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.runner")
    port = _free_port()
    cfg = settings.model_copy(update={"bot_api_url": f"http://127.0.0.1:{port}"})
    bot, dp = create_bot(cfg), create_dispatcher(cfg, session_factory)
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(bot, dp, stop_event=stop, polling_timeout=1))
    sandbox = None
    try:
        await _until(lambda: "Bot API unreachable" in caplog.text)
        sandbox = await start_sandbox(port=port)  # the API comes up late
        async with SandboxClient(sandbox.base_url) as tg:
            await tg.register_user(user_id=42, first_name="Иван")
            await tg.send_text(42, "/start")
            assert (await tg.wait_for(42))["text"].startswith("Здравствуйте, Иван!")
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await bot.session.close()
        if sandbox is not None:
            await sandbox.stop()
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 1, "one line, not one per retry"
    assert "Traceback" not in caplog.text


async def test_polling_stops_while_still_waiting() -> None:
    cfg = Settings(_env_file=None, bot_token="1:x", bot_api_url=f"http://127.0.0.1:{_free_port()}")  # type: ignore[call-arg]
    bot, dp = create_bot(cfg), create_dispatcher(cfg, async_sessionmaker())
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(bot, dp, stop_event=stop))
    await asyncio.sleep(0)  # let it make its first attempt
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    await bot.session.close()


@pytest.fixture
async def webhook_setup(settings: Settings, session_factory, sandbox):  # type: ignore[no-untyped-def]
    port = _free_port()
    cfg = settings.model_copy(
        update={"bot_api_url": sandbox.base_url, "webhook_url": f"http://127.0.0.1:{port}/tg/hook"}
    )
    bot, dp = create_bot(cfg), create_dispatcher(cfg, session_factory)
    runner = web.AppRunner(create_webhook_app(bot, dp, cfg))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield cfg
    finally:
        await runner.cleanup()
        await bot.session.close()


async def test_webhook_mode_end_to_end(webhook_setup: Settings, client: SandboxClient) -> None:
    await client.register_user(user_id=43, first_name="Пётр")
    await client.send_text(43, "/start")
    assert (await client.wait_for(43))["text"].startswith("Здравствуйте, Пётр!")


async def test_webhook_rejects_a_wrong_secret(webhook_setup: Settings) -> None:
    assert webhook_secret(webhook_setup)  # derived from secret_key when not configured
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            webhook_setup.webhook_url or "",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        ) as resp:
            assert resp.status == 401


async def test_polling_handles_at_most_the_configured_number_of_updates_at_once(settings: Settings) -> None:
    from aiogram import Dispatcher

    sandbox = await start_sandbox()
    cfg = settings.model_copy(update={"bot_api_url": sandbox.base_url})
    bot, dp = create_bot(cfg), Dispatcher()
    probe = SlowReplies(dp)

    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(bot, dp, stop_event=stop, polling_timeout=1, concurrency=2))
    try:
        async with SandboxClient(sandbox.base_url) as tg:
            people = range(100, 106)
            for user_id in people:
                await tg.register_user(user_id=user_id, first_name="Житель")
            for user_id in people:
                await tg.send_text(user_id, f"сообщение {user_id}")
            for user_id in people:  # nothing is lost while the others wait their turn
                assert (await tg.wait_for(user_id))["text"] == f"готово: сообщение {user_id}"
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await bot.session.close()
        await sandbox.stop()
    assert probe.most == 2
