"""An update delivered twice (a webhook retry landing on another worker) is handled once."""

from __future__ import annotations

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
