"""Each update is handled once, even with several workers behind one webhook.

Telegram redelivers an update whose webhook request timed out or failed, and with N workers the
retry may land on another process than the first attempt. The first process to see an update_id
marks it; later deliveries are skipped silently. With Redis the mark is shared (``SET NX EX``) by
every worker; without it a bounded in-process set is enough (one process only).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update

log = logging.getLogger(__name__)

# Telegram keeps an undelivered update for 24 hours: a mark must outlive any redelivery.
SEEN_TTL_SECONDS = 86400
MEMORY_SIZE = 10_000


class SeenUpdates(Protocol):
    async def first_time(self, bot_id: int, update_id: int) -> bool: ...


class MemorySeen:
    """The last ``size`` update ids per process (redeliveries come soon after the first try)."""

    def __init__(self, size: int = MEMORY_SIZE) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[int, int], None] = OrderedDict()

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        key = (bot_id, update_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


class RedisSeen:
    def __init__(self, redis: Any, *, prefix: str = "porucheno:upd", ttl: int = SEEN_TTL_SECONDS) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        return bool(await self.redis.set(f"{self.prefix}:{bot_id}:{update_id}", 1, nx=True, ex=self.ttl))


class UpdateDedup(BaseMiddleware):
    """Outer middleware on ``dp.update``: a repeated update_id ends here, unhandled."""

    def __init__(self, seen: SeenUpdates) -> None:
        self.seen = seen

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        bot = data.get("bot")
        if isinstance(event, Update) and isinstance(bot, Bot):
            if not await self.seen.first_time(bot.id, event.update_id):
                log.debug("update %s of bot %s already handled; skipped", event.update_id, bot.id)
                return None
        return await handler(event, data)


def seen_updates(storage: Any) -> SeenUpdates:
    """Shared through the FSM's Redis when there is one (the same connection pool)."""
    redis = getattr(storage, "redis", None)
    return RedisSeen(redis) if redis is not None else MemorySeen()
