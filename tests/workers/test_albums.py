"""An album whose parts land on different workers is acknowledged once, with all its files."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiogram import Bot, Dispatcher
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.albums import Album, OnQuiet, RedisAlbums
from bot.factory import create_bot, create_dispatcher
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from tests.bot.appeals_support import NEXT, SKIP, catalog_fixture, open_form
from tests.bot.assignments_support import PDF, PNG_1, PNG_2
from tests.bot.conftest import Chat
from tests.sandbox_support import running_sandbox

__all__ = ["catalog_fixture"]  # the ``catalog`` fixture, used here


@contextlib.asynccontextmanager
async def round_robin(bots: list[Bot], workers: list[Dispatcher], albums_on: set[int]) -> AsyncIterator[None]:
    """Updates dealt to the workers in turn (as a load balancer would), each handled concurrently;
    ``albums_on`` collects the workers that got an album part."""

    async def pump() -> None:
        offset, n, running = 0, 0, set()
        while True:
            for update in await bots[0].get_updates(offset=offset, timeout=1):
                offset = update.update_id + 1
                i = n % len(workers)
                n += 1
                if update.message is not None and update.message.media_group_id:
                    albums_on.add(i)
                task = asyncio.create_task(workers[i].feed_update(bots[i], update))
                running.add(task)
                task.add_done_callback(running.discard)

    task = asyncio.create_task(pump())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_album_split_between_two_workers_is_acknowledged_once(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    redis_url: str,
    catalog: Any,
) -> None:
    config = SandboxConfig(chat_burst=30, chat_rate_per_sec=30)
    async with running_sandbox(config) as sandbox, SandboxClient(sandbox.base_url) as client:
        cfg = settings.model_copy(
            update={
                "bot_api_url": sandbox.base_url,
                "redis_url": redis_url,
                "send_chat_rate": 30.0,
                "send_chat_burst": 30,
            }
        )
        user = await client.register_user(first_name="Мария", language_code="ru")
        chat = Chat(client, user["id"])
        workers = [create_dispatcher(cfg, session_factory) for _ in range(2)]
        bots = [create_bot(cfg) for _ in workers]
        albums_on: set[int] = set()
        try:
            async with round_robin(bots, workers, albums_on):
                topics = await open_form(chat, "Выберите тему")
                await chat.press(topics, "Благоустройство")
                await chat.reply("Опишите проблему")
                progress = await chat.send("Во дворе не вывозят мусор.", expect="Символов в тексте")
                await chat.press(progress, NEXT)
                await chat.press(await chat.reply("Где это?"), SKIP)
                await chat.reply("Приложите фото или документы")
                files = [(PNG_1, "a.png"), (PNG_2, "b.png"), (PDF, "c.pdf")]
                await client.send_album(chat.user_id, files)
                progress = await chat.reply("Альбом получен, приложено файлов: 3.")
                assert "Приложено файлов: 3 из 10" in progress["text"]
                await asyncio.sleep(2.5)  # a second acknowledgement would have come by now
                texts = [m.get("text") or "" for m in await client.bot_messages(chat.user_id)]
        finally:
            for bot in bots:
                await bot.session.close()
            for dp in workers:
                await dp.storage.close()
    assert albums_on == {0, 1}  # the parts really were split
    assert sum("Альбом получен" in text for text in texts) == 1


async def test_redis_albums_claimed_by_one_worker(redis: Redis) -> None:
    """Two processes' collectors on one Redis: one acknowledgement with every part; a part coming
    after the acknowledgement starts a new album."""
    first, second = (RedisAlbums(redis, prefix="t:album", quiet=0.2) for _ in range(2))
    seen: list[tuple[str, int, list[str]]] = []

    def on(worker: str) -> OnQuiet:
        async def acknowledge(album: Album) -> None:
            seen.append((worker, album.stored, album.refused))

        return acknowledge

    key = (42, "g1")
    await first.add(key, refused=None, on_quiet=on("first"))
    await second.add(key, refused="too big", on_quiet=on("second"))
    await first.add(key, refused=None, on_quiet=on("first"))
    await second.add(key, refused=None, on_quiet=on("second"))
    await asyncio.sleep(0.6)
    assert len(seen) == 1 and seen[0][1:] == (3, ["too big"])
    assert await redis.keys("t:album:*") == []  # claimed parts are gone

    await second.add(key, refused=None, on_quiet=on("second"))  # late: a new album
    await asyncio.sleep(0.6)
    assert seen[1] == ("second", 1, [])
