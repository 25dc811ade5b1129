"""The MAX webhook: subscribed on start, updates fed to the same dispatcher, the secret checked; an
update answered only once handled, so MAX delivers again what a failure or a killed worker left,
and handled once however many times it comes and to whichever worker."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.types import TelegramObject
from aiohttp import web

from bot.max.updates import update_key
from bot.max.webhook import SECRET_HEADER, create_max_webhook_app, max_webhook_secret
from bot.middleware_types import NextHandler
from bot.update_dedup import MemoryClaims, UpdateClaims
from porucheno.settings import Settings
from tests.bot.max_support import max_keyboard_texts
from tests.concurrency_probe import SlowReplies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def serving(
    bot: Bot, dp: Dispatcher, settings: Settings, claims: UpdateClaims | None = None, **changes: Any
) -> AsyncIterator[Settings]:
    """The webhook app on a free port, once MAX has the subscription; yields the settings it uses."""
    port = free_port()
    settings = settings.model_copy(update={"max_webhook_url": f"http://127.0.0.1:{port}/max/hook", **changes})
    runner = web.AppRunner(create_max_webhook_app(bot, dp, settings, claims))
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


def redelivery(entry: dict[str, Any]) -> dict[str, Any]:
    """The ``message_created`` update MAX sends again for a person's message (from its transcript)."""
    message = {key: entry[key] for key in ("sender", "recipient", "timestamp", "body")}
    return {"update_type": "message_created", "timestamp": entry["timestamp"], "message": message}


async def post(settings: Settings, update: dict[str, Any], url: str | None = None) -> int:
    headers = {SECRET_HEADER: max_webhook_secret(settings) or ""}
    async with aiohttp.ClientSession() as http:
        async with http.post(url or settings.max_webhook_url or "", json=update, headers=headers) as resp:
            return resp.status


async def post_until_settled(settings: Settings, update: dict[str, Any], url: str | None = None) -> int:
    """Posted again, as MAX does, while it is answered 503 (still being handled)."""
    for _ in range(100):
        status = await post(settings, update, url)
        if status != 503:
            return status
        await asyncio.sleep(0.05)
    return status


async def person_says(max_client, native: int, text: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    await max_client.send_text(native, text)
    return next(m for m in reversed(await max_client.transcript(native)) if m["side"] == "user")


async def test_a_redelivered_update_is_answered_without_being_handled_again(
    max_bot, max_dispatcher, max_settings, max_client
) -> None:
    async with serving(max_bot, max_dispatcher, max_settings) as settings:
        native = 5_800_201
        await max_client.register_user(user_id=native, first_name="Вера")
        said = await person_says(max_client, native, "/start")
        await max_client.wait_for(native, contains="Здравствуйте")
        # MAX did not get our 200 (a network cut) and delivers the same message again; while the
        # first delivery is still finishing (the reply is out before the handler ends) it is told
        # to come back later, then that it is done.
        assert await post_until_settled(settings, redelivery(said)) == 200
        assert len(await max_client.bot_messages(native)) == 1
        # Any other update is handled as usual.
        await max_client.send_text(native, "/start")
        for _ in range(100):
            if len(await max_client.bot_messages(native)) == 2:
                break
            await asyncio.sleep(0.05)
        assert len(await max_client.bot_messages(native)) == 2


class FailsFirst(BaseMiddleware):
    """The database down before the session opened: an error past the bot's own error handling."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("database unreachable")
        return await handler(event, data)


async def test_an_update_that_failed_past_the_bot_is_delivered_again_and_handled(
    max_bot, max_settings, max_client
) -> None:
    dp = Dispatcher()
    failing = FailsFirst()
    dp.update.outer_middleware(failing)
    SlowReplies(dp, seconds=0)
    async with serving(max_bot, dp, max_settings):
        native = 5_800_202
        await max_client.register_user(user_id=native, first_name="Житель")
        await max_client.send_text(native, "течёт крыша")
        reply = await max_client.wait_for(native, contains="готово")
        assert reply["body"]["text"] == "готово: течёт крыша"
    assert failing.calls == 2  # answered 500 the first time; MAX's next try was handled
    assert [m["body"]["text"] for m in await max_client.bot_messages(native)] == ["готово: течёт крыша"]


async def test_a_redelivery_to_another_worker_waits_for_the_first_and_is_not_handled_twice(
    max_bot, max_settings, max_client
) -> None:
    dp = Dispatcher()
    probe = SlowReplies(dp, seconds=0.6)
    shared = MemoryClaims()  # what Redis is to several worker processes
    other_port = free_port()
    other = web.AppRunner(
        create_max_webhook_app(
            max_bot,
            dp,
            max_settings.model_copy(update={"max_webhook_url": f"http://127.0.0.1:{other_port}/max/hook"}),
            shared,
        )
    )
    await other.setup()
    await web.TCPSite(other, "127.0.0.1", other_port).start()
    try:
        async with serving(max_bot, dp, max_settings, shared) as settings:
            native = 5_800_203
            await max_client.register_user(user_id=native, first_name="Житель")
            said = await person_says(max_client, native, "нет света")
            for _ in range(100):  # the first worker is on it
                if probe.busy:
                    break
                await asyncio.sleep(0.01)
            other_url = f"http://127.0.0.1:{other_port}/max/hook"
            assert await post(settings, redelivery(said), other_url) == 503  # come back later
            await max_client.wait_for(native, contains="готово")
            assert await post_until_settled(settings, redelivery(said), other_url) == 200  # done: not again
    finally:
        await other.cleanup()
    assert probe.most == 1
    assert [m["body"]["text"] for m in await max_client.bot_messages(native)] == ["готово: нет света"]


def test_update_keys_name_an_event_not_a_delivery() -> None:
    message = {"sender": {"user_id": 7}, "recipient": {"chat_id": 7}, "timestamp": 1, "body": {"mid": "m.1"}}
    created = {"update_type": "message_created", "timestamp": 1, "message": message}
    assert update_key(created) == update_key({**created, "timestamp": 2})  # a later delivery
    assert update_key(created) != update_key({**created, "message": {**message, "body": {"mid": "m.2"}}})
    press = {"update_type": "message_callback", "callback": {"callback_id": "c.1"}, "message": message}
    assert update_key(press) != update_key({**press, "callback": {"callback_id": "c.2"}})
    assert update_key(press) != update_key(created)
    started = {"update_type": "bot_started", "timestamp": 5, "user": {"user_id": 7}, "chat_id": 7}
    assert update_key(started) == update_key(dict(started))
    assert update_key(started) != update_key({**started, "timestamp": 6})
    assert update_key({"update_type": "bot_started"}) >= 0
