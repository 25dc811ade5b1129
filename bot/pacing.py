"""One pacer per bot process: every message the bot sends takes a token here first.

Telegram allows a bot about 30 messages a second in all and about one a second per chat (short
bursts tolerated); it answers 429 with ``retry_after`` beyond that. Direct replies (handlers, the
error handler, scheduler jobs) and the outbox sender draw from the same buckets, so a broadcast and
people chatting stay within the limits together.

Interactive sends come first: the outbox ("bulk") takes a global token only while a few are left
over for replies and no reply is waiting, and a chat token only while one is left for a reply to
that chat. A 429 pauses every message until its ``retry_after`` has passed, so nothing (not even the
error handler's apology) is sent into that window.

The buckets live in this process; with Redis configured (several workers) every send also takes
its slot from buckets shared by all processes (``shared``, bot/shared_rate.py). The outbox's 429
pause is additionally persisted in the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

ChatKey = int | str | None  # None: a send without a chat (an inline message edit)

# Global tokens the outbox leaves untouched so that replies never queue behind a broadcast.
BULK_GLOBAL_RESERVE = 3
# The per-chat reserve: the outbox's notice never takes the last token a reply to that chat needs.
BULK_CHAT_RESERVE = 1
# Forget per-chat buckets (full ones) once this many are kept.
PRUNE_AT = 4096


@dataclass(frozen=True)
class PacingLimits:
    """Rates in messages per second; bursts in messages. Keep them a little under Telegram's own
    (30/s, 1/s per chat): requests reach the server with jitter, a margin absorbs it."""

    global_rate: float = 29.5
    global_burst: int = 10
    chat_rate: float = 1.0
    chat_burst: int = 2


class SharedBudget(Protocol):
    """Buckets shared by all worker processes (bot/shared_rate.py): 0 when the send was taken, else
    how long to wait and whether the chat (not the bot's total) is the limit."""

    async def reserve(
        self, chat_id: ChatKey, amount: int = 1, *, bulk: bool = False
    ) -> tuple[float, bool]: ...


class Bucket:
    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def level(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens

    def wait_for(self, need: float, now: float) -> float:
        """Seconds until ``need`` tokens are there (a batch bigger than the bucket: until it is full)."""
        need = min(need, self.capacity)
        missing = need - self.level(now)
        return 0.0 if missing <= 0 else missing / self.rate

    def take(self, amount: int) -> None:
        self.tokens -= amount  # may go below zero for a big batch: later sends wait it off


class Pacer:
    def __init__(
        self,
        limits: PacingLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or PacingLimits()
        self._clock, self._sleep = clock, sleep
        self._global = Bucket(self.limits.global_rate, self.limits.global_burst, clock())
        self._chats: dict[ChatKey, Bucket] = {}
        self._paused_until = 0.0
        self._replies_waiting = 0
        self._global_reserve = max(0, min(BULK_GLOBAL_RESERVE, self.limits.global_burst - 1))
        self._chat_reserve = max(0, min(BULK_CHAT_RESERVE, self.limits.chat_burst - 1))
        # Redis buckets all workers draw from (porucheno/runtime.py sets it when Redis is configured).
        self.shared: SharedBudget | None = None

    # -- 429 pause ----------------------------------------------------------------------------------

    def pause(self, seconds: float) -> None:
        """Telegram said ``retry_after``: no message leaves this process before it has passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def pause_remaining(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    # -- acquiring ----------------------------------------------------------------------------------

    def _chat(self, chat_id: ChatKey, now: float) -> Bucket | None:
        if chat_id is None:
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= PRUNE_AT:
                self._prune(now)
            rate, burst = self.limits.chat_rate, self.limits.chat_burst
            if isinstance(chat_id, int) and chat_id < 0:  # groups: Telegram allows 20 a minute
                rate = min(rate, 20 / 60)
            bucket = self._chats[chat_id] = Bucket(rate, burst, now)
        return bucket

    def _prune(self, now: float) -> None:
        for key in [k for k, b in self._chats.items() if b.level(now) >= b.capacity]:
            del self._chats[key]

    def _wait(self, chat_id: ChatKey, amount: int, *, bulk: bool) -> float:
        now = self._clock()
        chat = self._chat(chat_id, now)
        extra_global = self._global_reserve if bulk else 0
        extra_chat = self._chat_reserve if bulk else 0
        return max(
            self._paused_until - now,
            self._global.wait_for(amount + extra_global, now),
            chat.wait_for(amount + extra_chat, now) if chat is not None else 0.0,
        )

    def _take(self, chat_id: ChatKey, amount: int) -> None:
        self._global.take(amount)
        chat = self._chats.get(chat_id)
        if chat is not None:
            chat.take(amount)

    async def acquire(self, chat_id: ChatKey, amount: int = 1) -> None:
        """Wait until an interactive message to ``chat_id`` may go, and take its tokens."""
        self._replies_waiting += 1
        try:
            while True:
                wait = self._wait(chat_id, amount, bulk=False)
                if wait <= 0:
                    break
                await self._sleep(wait)  # other sends may take tokens meanwhile: look again
        finally:
            self._replies_waiting -= 1
        self._take(chat_id, amount)
        while self.shared is not None:
            wait, _ = await self.shared.reserve(chat_id, amount)
            if wait <= 0:
                break
            await self._sleep(wait)

    def refund(self, amount: int = 1) -> None:
        """Give back global tokens of a send that Telegram did not count (a blocked chat's 403)."""
        self._global.tokens = min(self._global.capacity, self._global.tokens + amount)

    def chat_delay(self, chat_id: ChatKey, amount: int = 1) -> float:
        """Seconds before the outbox may send to ``chat_id`` (pause and chat bucket only)."""
        now = self._clock()
        chat = self._chat(chat_id, now)
        need = amount + self._chat_reserve
        return max(self._paused_until - now, chat.wait_for(need, now) if chat is not None else 0.0)

    async def acquire_bulk(self, chat_id: ChatKey, amount: int = 1) -> float:
        """Wait for a global token that replies leave over; take it and return 0. If meanwhile the
        chat itself is not ready (a reply to it went first), take nothing and return its delay: the
        outbox defers that message instead of holding every other chat up."""
        while True:
            delay = self.chat_delay(chat_id, amount)
            if delay > 0:
                return delay
            wait = self._wait(chat_id, amount, bulk=True)
            if wait <= 0 and not self._replies_waiting:
                self._take(chat_id, amount)
                return await self._shared_bulk(chat_id, amount)
            # Replies waiting: let them go first, look again one global slot later. Otherwise just
            # until the token is there: sleeping a whole slot each time would cost the broadcast rate.
            # (At least a millisecond: rounding may leave a token a hair short after the sleep.)
            slot = 1.0 / self.limits.global_rate
            await self._sleep(max(wait, slot) if self._replies_waiting else max(wait, 0.001))

    async def _shared_bulk(self, chat_id: ChatKey, amount: int) -> float:
        """The workers' common budget, after this process's: 0 when taken, else the chat's delay."""
        while self.shared is not None:
            wait, by_chat = await self.shared.reserve(chat_id, amount, bulk=True)
            if wait <= 0:
                break
            if by_chat:  # another worker just wrote to this chat: defer the message
                return wait
            await self._sleep(wait)
        return 0.0
