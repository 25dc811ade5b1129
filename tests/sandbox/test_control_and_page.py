"""The test driver (wait_for), a full aiogram Dispatcher conversation, sub-app mounting and the chat page."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiohttp import web

from sandbox.app import SANDBOX_STATE, create_sandbox_app
from sandbox.client import SandboxClient
from sandbox.config import Persona, SandboxConfig
from sandbox.runner import RunningSandbox

from .conftest import make_bot


async def test_wait_for_sees_only_replies_after_the_last_action(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    await bot.send_message(user["id"], "старое: привет")
    await client.send_text(user["id"], "hi")

    async def reply_later() -> None:
        await asyncio.sleep(0.2)
        await bot.send_message(user["id"], "новое: привет")

    task = asyncio.create_task(reply_later())
    found = await client.wait_for(user["id"], contains="привет", timeout=3)
    await task
    assert found["text"] == "новое: привет"
    assert (await client.wait_for(user["id"], contains="старое", after_message_id=0))["message_id"] == 1


async def test_wait_for_timeout_reports_transcript_tail(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    await bot.send_message(user["id"], "что-то другое")
    with pytest.raises(AssertionError, match="что-то другое") as caught:
        await client.wait_for(user["id"], contains="не придёт", timeout=0.3)
    assert "within 0.3s" in str(caught.value)


@pytest.fixture
async def running_bot(sandbox: RunningSandbox) -> AsyncIterator[Bot]:
    """A real Dispatcher polling the sandbox: /start offers a button, pressing it edits the message."""
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Принять", callback_data="ok")]]
        )
        await message.answer(f"Здравствуйте, {message.from_user.first_name}!", reply_markup=markup)

    @dp.callback_query(F.data == "ok")
    async def accepted(query: CallbackQuery) -> None:
        await query.message.edit_text("Задача принята")
        await query.answer("Готово")

    @dp.message(F.photo)
    async def photo(message: Message) -> None:
        await message.answer(f"Фото получено: {message.photo[-1].file_size} байт")

    bot = make_bot(sandbox.base_url)
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    yield bot
    await dp.stop_polling()
    await asyncio.wait_for(task, 5)
    await bot.session.close()


async def test_conversation_with_polling_bot(
    running_bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    await client.send_text(user["id"], "/start")
    greeting = await client.wait_for(user["id"], contains="Здравствуйте, Анна!")
    await client.press(user["id"], greeting["message_id"], text="Принять")
    edited = await client.wait_for(user["id"], lambda m: m["edited"] > 0)
    assert edited["message_id"] == greeting["message_id"] and edited["text"] == "Задача принята"
    for _ in range(20):
        [query] = await client.callback_queries(user["id"])
        if query["answered"]:
            break
        await asyncio.sleep(0.05)
    assert query["text"] == "Готово"
    await client.send_photo(user["id"], b"\xff\xd8fake-jpeg")
    assert "11 байт" in (await client.wait_for(user["id"], contains="Фото получено"))["text"]


async def test_mounted_as_subapp_under_prefix() -> None:
    config = SandboxConfig(personas=[Persona(501, "Мария Петровна", "Глава")], lang="en")
    parent = web.Application()
    sandbox_app = create_sandbox_app(config)
    parent.add_subapp("/sandbox/", sandbox_app)
    runner = web.AppRunner(parent)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/sandbox"
    bot = make_bot(base)
    try:
        async with SandboxClient(base) as client, aiohttp.ClientSession() as http:
            await bot.send_message(501, "Добрый день")
            assert [m["text"] for m in await client.bot_messages(501)] == ["Добрый день"]
            assert sandbox_app[SANDBOX_STATE].users[501].first_name == "Мария Петровна"
            async with http.get(f"{base}/chat") as page:
                html = await page.text()
            assert '<html lang="en">' in html
            # Every referenced asset is relative, so it resolves under the prefix.
            assets = [a for a in re.findall(r'(?:src|href)="([^"]+)"', html) if not a.startswith("data:")]
            assert assets and all(not a.startswith(("/", "http")) for a in assets)
            for asset in assets:
                async with http.get(f"{base}/{asset}") as response:
                    assert response.status == 200
            async with http.get(f"{base}/", allow_redirects=False) as response:
                assert response.headers["Location"] == "/sandbox/chat"
    finally:
        await bot.session.close()
        await runner.cleanup()


async def test_chat_page_and_script_use_relative_api_urls(sandbox: RunningSandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.base_url}/chat") as page:
            assert page.status == 200 and '<html lang="ru">' in await page.text()
        async with http.get(f"{sandbox.base_url}/chat?lang=en") as page:
            assert '<html lang="en">' in await page.text()
        async with http.get(f"{sandbox.base_url}/static/chat.js") as script:
            source = await script.text()
    assert 'fetch("api/" + path' in source
    assert ".innerHTML" not in source and "insertAdjacentHTML" not in source
    assert not re.search(r"""["'`]/api/""", source)


async def test_reset_clears_the_world_but_keeps_personas() -> None:
    from sandbox.runner import start_sandbox

    running = await start_sandbox(SandboxConfig(personas=[Persona(42, "Иван", "Исполнитель", "ivan")]))
    bot = make_bot(running.base_url)
    try:
        async with SandboxClient(running.base_url) as client:
            await bot.send_message(42, "привет")
            await client.set_limits(chat_burst=1)
            await client.reset()
            assert await client.transcript(42) == []
            assert (await client.stats())["totals"]["sent"] == 0
            assert running.state.config.chat_burst == 3
    finally:
        await bot.session.close()
        await running.stop()
