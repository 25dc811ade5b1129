"""Each webhook update is handled once, and none is lost when a worker dies while handling it.

Telegram redelivers an update whose webhook request failed or timed out, and with N workers behind
one port the retry may land on another process. So a worker *claims* the update_id before handling
it and marks it *done* after; the webhook answers Telegram only then (bot/webhook_handler.py):

- new: claimed for ``busy_ttl`` seconds and handled;
- busy (another worker is still on it): answered 503, so Telegram comes back later;
- done: answered 200 without handling it again.

A worker killed with ``kill -9`` never answers; its claim runs out after ``busy_ttl`` and Telegram's
next retry is handled by whichever worker gets it. A claim that never expired (the first version
of this marked an update as seen before handling) would have made that retry a silent loss.

Long polling needs none of this: one process gets each update, and gets it again only when it died
before confirming it, which is exactly when it must be handled.

With Redis the claims are shared by every worker; without it an in-process table is enough (one
process only).
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict
from typing import Any, Protocol

# Telegram keeps an undelivered update for 24 hours: a done mark must outlive any redelivery.
DONE_TTL_SECONDS = 86400
# Longer than any handling: aiogram answers a webhook after 55 s and finishes the rest in the
# background (Dispatcher.feed_webhook_update).
BUSY_TTL_SECONDS = 120
MEMORY_SIZE = 10_000


class Claim(enum.Enum):
    NEW = "new"
    BUSY = "busy"
    DONE = "done"


class UpdateClaims(Protocol):
    async def claim(self, bot_id: int, update_id: int) -> Claim: ...

    async def finish(self, bot_id: int, update_id: int) -> None: ...

    async def release(self, bot_id: int, update_id: int) -> None: ...


class MemoryClaims:
    """The last ``size`` update ids of this process (redeliveries come soon after the first try)."""

    def __init__(self, size: int = MEMORY_SIZE, *, busy_ttl: float = BUSY_TTL_SECONDS) -> None:
        self.size = size
        self.busy_ttl = busy_ttl
        # (bot, update) → None when done, else the monotonic time the busy claim runs out
        self._marks: OrderedDict[tuple[int, int], float | None] = OrderedDict()

    async def claim(self, bot_id: int, update_id: int) -> Claim:
        key = (bot_id, update_id)
        if key in self._marks:
            until = self._marks[key]
            if until is None:
                return Claim.DONE
            if until > time.monotonic():
                return Claim.BUSY
        self._marks[key] = time.monotonic() + self.busy_ttl
        self._marks.move_to_end(key)
        while len(self._marks) > self.size:
            self._marks.popitem(last=False)
        return Claim.NEW

    async def finish(self, bot_id: int, update_id: int) -> None:
        self._marks[(bot_id, update_id)] = None

    async def release(self, bot_id: int, update_id: int) -> None:
        self._marks.pop((bot_id, update_id), None)


class RedisClaims:
    BUSY, DONE = b"busy", b"done"

    def __init__(
        self,
        redis: Any,
        *,
        prefix: str = "porucheno:upd",
        busy_ttl: int = BUSY_TTL_SECONDS,
        done_ttl: int = DONE_TTL_SECONDS,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.busy_ttl = busy_ttl
        self.done_ttl = done_ttl

    def _key(self, bot_id: int, update_id: int) -> str:
        return f"{self.prefix}:{bot_id}:{update_id}"

    async def claim(self, bot_id: int, update_id: int) -> Claim:
        key = self._key(bot_id, update_id)
        if await self.redis.set(key, self.BUSY, nx=True, ex=self.busy_ttl):
            return Claim.NEW
        value = await self.redis.get(key)
        if value is None:  # ran out between the two calls: let Telegram's retry claim it
            return Claim.BUSY
        return Claim.DONE if _as_bytes(value) == self.DONE else Claim.BUSY

    async def finish(self, bot_id: int, update_id: int) -> None:
        await self.redis.set(self._key(bot_id, update_id), self.DONE, ex=self.done_ttl)

    async def release(self, bot_id: int, update_id: int) -> None:
        await self.redis.delete(self._key(bot_id, update_id))


def _as_bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def update_claims(storage: Any) -> UpdateClaims:
    """Shared through the FSM's Redis when there is one (the same connection pool)."""
    redis = getattr(storage, "redis", None)
    return RedisClaims(redis) if redis is not None else MemoryClaims()
