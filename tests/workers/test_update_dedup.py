"""An update delivered twice (a webhook retry landing on another worker) is handled once."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_bot, create_dispatcher
from bot.update_dedup import MemorySeen
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from tests.sandbox_support import running_sandbox


def _start(user: dict[str, Any], update_id: int) -> Update:
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    sender = {"id": user["id"], "is_bot": False, "first_name": user["first_name"]}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": sender, "text": "/start"}
    message["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    return Update.model_validate({"update_id": update_id, "message": message})


async def test_same_update_on_two_workers_is_answered_once(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], redis_url: str
) -> None:
    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        cfg = settings.model_copy(update={"bot_api_url": sandbox.base_url, "redis_url": redis_url})
        user = await client.register_user(first_name="Анна")
        workers = [create_dispatcher(cfg, session_factory, dedup_updates=True) for _ in range(2)]
        bot = create_bot(cfg)
        try:
            for dp in workers:
                await dp.feed_update(bot, _start(user, 777))
            await client.wait_for(user["id"], contains="Здравствуйте")
            await dp.feed_update(bot, _start(user, 778))  # a new update is not a duplicate
            texts = [m["text"] for m in await client.bot_messages(user["id"])]
        finally:
            await bot.session.close()
            for dp in workers:
                await dp.storage.close()
    assert sum(t.startswith("Здравствуйте") for t in texts) == 2


async def test_memory_seen_is_bounded() -> None:
    seen = MemorySeen(size=2)
    assert await seen.first_time(1, 10)
    assert not await seen.first_time(1, 10)
    assert await seen.first_time(2, 10)  # another bot
    assert await seen.first_time(1, 11)
    assert await seen.first_time(1, 10)  # forgotten: the oldest of three


async def test_polling_answers_an_update_a_killed_process_had_already_marked(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], redis_url: str, redis
) -> None:
    # kill -9 while an update is handled: Telegram gives it again to the restarted poller, whose
    # Redis still holds the mark the dead process set. It must be answered, not skipped.
    from porucheno import runtime

    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        user = await client.register_user(first_name="Анна")
        bot_id = int(settings.bot_token.split(":")[0])
        for update_id in range(1, 50):  # the fake API numbers updates from 1
            await redis.set(f"porucheno:upd:{bot_id}:{update_id}", 1)
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
