"""Long polling confirms an update to Telegram only after it was handled (bot/polling.py).

A process killed while handling an update must not have told Telegram it arrived: the next process
gets it again. aiogram's own polling confirmed everything it had received on its next getUpdates.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from aiogram.types import Message

from bot.factory import create_bot
from bot.polling import ConfirmingDispatcher
from bot.runner import run_polling
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.methods import method_table
from tests.sandbox_support import running_sandbox

BOT_TOKEN = "123456:TEST-token"


def _settings(base_url: str) -> Settings:
    return Settings(_env_file=None, bot_token=BOT_TOKEN, bot_api_url=base_url)  # type: ignore[call-arg]


async def test_an_update_unfinished_when_the_process_dies_comes_to_the_next_one() -> None:
    async with running_sandbox() as sandbox, SandboxClient(sandbox.base_url) as tg:
        anna = await tg.register_user(first_name="Анна")
        boris = await tg.register_user(first_name="Борис")
        first, started, never = ConfirmingDispatcher(), asyncio.Event(), asyncio.Event()

        @first.message()
        async def stuck_on_one(message: Message) -> None:
            if message.text == "долгий вопрос":
                started.set()
                await never.wait()  # the process dies before it answers
            await message.answer(f"первый: {message.text}")

        bot = create_bot(_settings(sandbox.base_url))
        polling = asyncio.create_task(run_polling(bot, first, polling_timeout=1))
        try:
            await tg.send_text(anna["id"], "долгий вопрос")
            await asyncio.wait_for(started.wait(), 10)
            await tg.send_text(boris["id"], "быстрый вопрос")  # others are still answered meanwhile
            assert (await tg.wait_for(boris["id"]))["text"] == "первый: быстрый вопрос"
            pending = [u["message"]["text"] for u in sandbox.state.bots[123456].updates]
            assert "долгий вопрос" in pending  # Telegram still holds it
        finally:
            polling.cancel()  # the process is gone: its handler never finishes
            with contextlib.suppress(asyncio.CancelledError):
                await polling
            for task in asyncio.all_tasks():
                if task.get_coro().__qualname__.endswith("_process_update"):  # type: ignore[union-attr]
                    task.cancel()
            await bot.session.close()

        second = ConfirmingDispatcher()

        @second.message()
        async def answer(message: Message) -> None:
            await message.answer(f"второй: {message.text}")

        bot = create_bot(_settings(sandbox.base_url))
        stop = asyncio.Event()
        polling = asyncio.create_task(run_polling(bot, second, stop_event=stop, polling_timeout=1))
        try:
            assert (await tg.wait_for(anna["id"], contains="второй"))["text"] == "второй: долгий вопрос"
        finally:
            stop.set()
            await asyncio.wait_for(polling, 15)
            await bot.session.close()
        # Confirmed on the clean stop: a third start gets nothing again.
        assert not sandbox.state.bots[123456].updates


async def test_updates_handled_meanwhile_are_not_handled_twice_by_the_same_process() -> None:
    # While one update holds the offset, Telegram returns the later ones on every call: each is
    # still handled once.
    async with running_sandbox() as sandbox, SandboxClient(sandbox.base_url) as tg:
        anna = await tg.register_user(first_name="Анна")
        others = [await tg.register_user(first_name=f"Житель {i}") for i in range(5)]
        dp, release, handled = ConfirmingDispatcher(), asyncio.Event(), []

        @dp.message()
        async def record(message: Message) -> None:
            handled.append(message.text)
            if message.text == "жду":
                await release.wait()
            await message.answer(f"ответ: {message.text}")

        bot = create_bot(_settings(sandbox.base_url))
        stop = asyncio.Event()
        polling = asyncio.create_task(run_polling(bot, dp, stop_event=stop, polling_timeout=1))
        try:
            await tg.send_text(anna["id"], "жду")
            for i, person in enumerate(others):
                await tg.send_text(person["id"], f"вопрос {i}")
                assert (await tg.wait_for(person["id"]))["text"] == f"ответ: вопрос {i}"
            await asyncio.sleep(1.5)  # several getUpdates calls return the held ones again
            release.set()
            assert (await tg.wait_for(anna["id"]))["text"] == "ответ: жду"
        finally:
            stop.set()
            await asyncio.wait_for(polling, 15)
            await bot.session.close()
    assert sorted(handled) == sorted(["жду", *(f"вопрос {i}" for i in range(5))])


async def test_updates_being_handled_are_not_fetched_and_parsed_again_and_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Telegram answers from the offset, which the oldest unfinished update holds: asked again at
    once, it returns the updates still being handled, and the bot parses each again. The poller
    waits until asking brings mostly new ones: a burst is fetched about once, a steady stream too."""
    async with running_sandbox() as sandbox:
        returned: list[int] = []
        get_updates = method_table()["getupdates"]

        async def counted(call: Any) -> Any:
            updates = await get_updates(call)
            returned.extend(u["update_id"] for u in updates)
            return updates

        monkeypatch.setitem(method_table(), "getupdates", counted)
        state = sandbox.state
        people = [state.register_user(None, f"Житель {i}") for i in range(150)]
        dp, handled = ConfirmingDispatcher(), []

        @dp.message()
        async def slow(message: Message) -> None:
            await asyncio.sleep(0.01)  # a few queries' worth
            handled.append(message.message_id)

        async def until_handled(count: int) -> None:
            for _ in range(1000):
                if len(handled) >= count:
                    return
                await asyncio.sleep(0.01)
            raise AssertionError(f"{len(handled)} of {count} handled")

        bot = create_bot(_settings(sandbox.base_url))
        stop = asyncio.Event()
        polling = asyncio.create_task(
            run_polling(bot, dp, stop_event=stop, polling_timeout=1, concurrency=20)
        )
        try:
            await until_handled(0)
            for person in people:  # at the same moment, as after an outage notice
                state.user_message(state.chats[person.id], person, {"text": "что с водой?"})
            await until_handled(150)
            assert len(returned) <= 150 * 1.5, f"{len(returned)} updates fetched for 150"

            returned.clear()
            for person in people[:10]:  # one after another, each once the last was answered
                state.user_message(state.chats[person.id], person, {"text": "а сейчас?"})
                await until_handled(len(handled) + 1)
            await asyncio.sleep(0.1)
            assert len(returned) <= 10 + 2, f"{len(returned)} updates fetched for 10"
        finally:
            stop.set()
            await asyncio.wait_for(polling, 15)
            await bot.session.close()
