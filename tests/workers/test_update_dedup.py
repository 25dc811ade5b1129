"""Webhook workers: an update is handled once, and one a dead worker was handling comes again.

The webhook answers Telegram only after the update was handled (bot/webhook_handler.py). Workers
sharing Redis claim each update_id: a retry of one still being handled is answered 503 (Telegram
comes back), one already handled 200 without a second answer, and the claim of a worker killed
mid-update runs out so that Telegram's retry is handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiogram import Dispatcher
from aiogram.types import Message
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_bot, create_dispatcher
from bot.runner import create_webhook_app, webhook_secret
from bot.update_dedup import Claim, MemoryClaims
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from tests.concurrency_probe import SlowReplies
from tests.sandbox_support import running_sandbox

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(user: dict[str, Any], update_id: int, text: str = "/start") -> dict[str, Any]:
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    sender = {"id": user["id"], "is_bot": False, "first_name": user["first_name"]}
    message = {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


@contextlib.asynccontextmanager
async def _worker(cfg: Settings, dp: Dispatcher) -> AsyncIterator[str]:
    """One webhook worker on a port of its own (set_webhook off: the test posts to it directly)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    cfg = cfg.model_copy(update={"webhook_url": url})
    bot = create_bot(cfg)
    runner = web.AppRunner(create_webhook_app(bot, dp, cfg, set_webhook=False))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield url
    finally:
        await runner.cleanup()
        await dp.storage.close()


async def _post(http: aiohttp.ClientSession, url: str, cfg: Settings, update: dict[str, Any]) -> int:
    headers = {SECRET_HEADER: webhook_secret(cfg) or ""}
    async with http.post(url, json=update, headers=headers) as resp:
        return resp.status


async def test_same_update_on_two_workers_is_answered_once(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], redis_url: str
) -> None:
    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        cfg = settings.model_copy(update={"bot_api_url": sandbox.base_url, "redis_url": redis_url})
        user = await client.register_user(first_name="Анна")
        async with (
            _worker(cfg, create_dispatcher(cfg, session_factory)) as first,
            _worker(cfg, create_dispatcher(cfg, session_factory)) as second,
            aiohttp.ClientSession() as http,
        ):
            # At once on both: one handles it, the other answers 503 (still busy) or 200 (done).
            statuses = await asyncio.gather(
                _post(http, first, cfg, _start(user, 777)), _post(http, second, cfg, _start(user, 777))
            )
            assert sorted(statuses) in ([200, 200], [200, 503])
            await client.wait_for(user["id"], contains="Здравствуйте")
            # Telegram's later retries, on either worker: answered 200, not handled again.
            assert await _post(http, second, cfg, _start(user, 777)) == 200
            assert await _post(http, first, cfg, _start(user, 777)) == 200
            assert await _post(http, second, cfg, _start(user, 778)) == 200  # a new update is new
            await asyncio.sleep(0.5)
            texts = [m["text"] for m in await client.bot_messages(user["id"])]
    assert sum(t.startswith("Здравствуйте") for t in texts) == 2


async def test_an_update_a_killed_worker_was_handling_is_handled_after_its_claim_runs_out(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], redis_url: str, redis
) -> None:
    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        cfg = settings.model_copy(update={"bot_api_url": sandbox.base_url, "redis_url": redis_url})
        user = await client.register_user(first_name="Анна")
        bot_id = int(cfg.bot_token.split(":")[0])
        # What a worker killed with kill -9 while handling update 900 leaves behind.
        await redis.set(f"porucheno:upd:{bot_id}:900", b"busy", ex=1)
        dp = create_dispatcher(cfg, session_factory)
        async with _worker(cfg, dp) as url, aiohttp.ClientSession() as http:
            assert await _post(http, url, cfg, _start(user, 900)) == 503  # maybe still alive: later
            await asyncio.sleep(1.2)
            assert await _post(http, url, cfg, _start(user, 900)) == 200
            assert "Анна" in (await client.wait_for(user["id"], contains="Здравствуйте"))["text"]


async def test_a_failure_answers_500_and_telegrams_retry_is_handled(settings: Settings) -> None:
    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        cfg = settings.model_copy(update={"bot_api_url": sandbox.base_url})
        user = await client.register_user(first_name="Анна")
        dp, attempts = Dispatcher(), []

        @dp.message()
        async def flaky(message: Message) -> None:
            attempts.append(message.message_id)
            if len(attempts) == 1:
                raise ConnectionError("the database went away")
            await message.answer("принято")

        async with _worker(cfg, dp) as url, aiohttp.ClientSession() as http:
            assert await _post(http, url, cfg, _start(user, 5, "заявка")) == 500
            assert await _post(http, url, cfg, _start(user, 5, "заявка")) == 200
            assert (await client.wait_for(user["id"]))["text"] == "принято"
            assert await _post(http, url, cfg, _start(user, 5, "заявка")) == 200  # done: not again
        assert attempts == [5, 5]


async def test_a_webhook_worker_handles_at_most_the_configured_number_at_once(settings: Settings) -> None:
    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        cfg = settings.model_copy(update={"bot_api_url": sandbox.base_url, "update_concurrency": 2})
        dp = Dispatcher()
        probe = SlowReplies(dp)

        people = [await client.register_user(first_name="Житель") for _ in range(6)]
        async with _worker(cfg, dp) as url, aiohttp.ClientSession() as http:
            statuses = await asyncio.gather(
                *(_post(http, url, cfg, _start(p, 10 + i, f"сообщение {i}")) for i, p in enumerate(people))
            )
            assert statuses == [200] * 6
            for i, person in enumerate(people):  # nothing is lost while the others wait their turn
                assert (await client.wait_for(person["id"]))["text"] == f"готово: сообщение {i}"
        assert probe.most == 2


async def test_a_request_that_is_not_an_update_is_refused_without_a_retry_loop(settings: Settings) -> None:
    cfg = settings.model_copy(update={"bot_api_url": f"http://127.0.0.1:{_free_port()}"})
    async with _worker(cfg, Dispatcher()) as url, aiohttp.ClientSession() as http:
        assert await _post(http, url, cfg, {"message": "no update_id"}) == 400
        headers = {SECRET_HEADER: webhook_secret(cfg) or "", "Content-Type": "application/json"}
        async with http.post(url, data=b"{not json", headers=headers) as resp:
            assert resp.status == 400


async def test_memory_claims() -> None:
    claims = MemoryClaims(size=2, busy_ttl=0.05)
    assert await claims.claim(1, 10) is Claim.NEW
    assert await claims.claim(1, 10) is Claim.BUSY
    await claims.finish(1, 10)
    assert await claims.claim(1, 10) is Claim.DONE
    assert await claims.claim(2, 10) is Claim.NEW  # another bot
    await asyncio.sleep(0.06)
    assert await claims.claim(2, 10) is Claim.NEW  # the busy claim ran out
    await claims.release(2, 10)
    assert await claims.claim(2, 10) is Claim.NEW  # released: handled again
    assert await claims.claim(1, 11) is Claim.NEW
    assert await claims.claim(1, 10) is Claim.NEW  # forgotten: the oldest of three


async def test_polling_answers_an_update_a_killed_process_had_already_marked(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], redis_url: str, redis
) -> None:
    # kill -9 while an update is handled: Telegram gives it again to the restarted poller. Marks in
    # Redis (from a webhook worker, or an older version that marked updates under polling) must not
    # make it skip the update.
    from porucheno import runtime

    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        user = await client.register_user(first_name="Анна")
        bot_id = int(settings.bot_token.split(":")[0])
        for update_id in range(1, 50):  # the fake API numbers updates from 1
            await redis.set(f"porucheno:upd:{bot_id}:{update_id}", b"busy")
        cfg = settings.model_copy(
            update={"bot_api_url": sandbox.base_url, "redis_url": redis_url, "admin_port": _free_port()}
        )
        service = await runtime.build_service(cfg)
        serving = asyncio.create_task(runtime.serve(service))
        try:
            await client.send_text(user["id"], "/start")
            assert "Анна" in (await client.wait_for(user["id"], contains="Здравствуйте", timeout=20))["text"]
        finally:
            service.stop_event.set()
            await asyncio.wait_for(serving, timeout=30)
