"""Long polling that confirms an update to Telegram only after it has been handled.

Telegram forgets every update below the ``offset`` of the next getUpdates. aiogram's polling moves
the offset past an update as soon as it has *received* it, and asks again at once, while the update
is still being handled. A process killed in that window (kill -9, the OOM killer, a power cut) loses
the update: Telegram was told it arrived, nobody answered it. Handling takes milliseconds, but an
update whose reply waits out a Bot API outage (5xx retries span 30 s) or a database restart is in
that window for seconds; the 30-minute soak lost such updates.

Here the offset stays at the oldest update still being handled, so after a crash Telegram gives the
unfinished ones to the next process. Telegram then also returns, on every call, the updates above
that offset: those being handled or already handled are recognised by id and skipped. So while
updates are being handled the next call waits (at most ``REFETCH_PAUSE``) until one has finished
and the answer has room for enough new ones, rather than asking again at once and parsing the same
updates again (``_until_worth_asking``). An update handled for longer than ``HOLD_SECONDS`` stops holding the
offset back, so one stuck handler cannot keep the others coming back forever.

The price: after a crash an update that had been handled, above an unfinished one, comes again and
is answered twice. A duplicate reply is better than a resident's message left unanswered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.routing import FastDispatcher

log = logging.getLogger(__name__)

HOLD_SECONDS = 120.0
REFETCH_PAUSE = 0.5
GET_LIMIT = 100  # updates per getUpdates answer (Telegram's default and most)
MIN_ROOM = 25  # fewer new ones than this in an answer of GET_LIMIT: worth waiting for
CONFIRM_TIMEOUT = 5.0


class ConfirmingDispatcher(FastDispatcher):
    """aiogram's dispatcher whose long polling confirms only handled updates (module docstring).
    Webhooks and ``feed_update`` are aiogram's own."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._in_flight: dict[int, float] = {}  # update_id → loop time it was handed to a handler
        self._finished: set[int] = set()  # handled ids at or above the offset Telegram holds
        self._highest: int | None = None
        self._progress: asyncio.Event | None = None
        self._handled = 0  # updates finished so far: tells whether any finished since a moment

    async def _process_update(
        self, bot: Bot, update: Update, call_answer: bool = True, **kwargs: Any
    ) -> bool:
        try:
            return await super()._process_update(bot, update, call_answer=call_answer, **kwargs)
        finally:
            if self._in_flight.pop(update.update_id, None) is not None:
                self._finished.add(update.update_id)
                self._handled += 1
                if self._progress is not None:
                    self._progress.set()

    def confirmable_offset(self) -> int | None:
        """The offset that confirms every handled update and no unfinished one."""
        now = asyncio.get_running_loop().time()
        held = [uid for uid, since in self._in_flight.items() if now - since < HOLD_SECONDS]
        if held:
            return min(held)
        return self._highest + 1 if self._highest is not None else None

    async def _listen_updates(  # type: ignore[override]
        self,
        bot: Bot,
        polling_timeout: int = 30,
        backoff_config: BackoffConfig = DEFAULT_BACKOFF_CONFIG,  # start_polling passes its own
        allowed_updates: list[str] | None = None,
    ) -> AsyncGenerator[Update, None]:
        loop = asyncio.get_running_loop()
        self._progress = asyncio.Event()
        backoff = Backoff(config=backoff_config)
        kwargs: dict[str, Any] = {}
        if bot.session.timeout:  # the request must outlive the long poll
            kwargs["request_timeout"] = int(bot.session.timeout + polling_timeout)
        failed = False
        handled = self._handled
        while True:
            if self._in_flight:
                await self._until_worth_asking(handled)
            offset = self.confirmable_offset()
            if offset is not None:
                self._finished = {uid for uid in self._finished if uid >= offset}
            method = GetUpdates(
                offset=offset, limit=GET_LIMIT, timeout=polling_timeout, allowed_updates=allowed_updates
            )
            try:
                updates = await bot(method, **kwargs)
            except Exception as exc:  # the API down or refusing: keep polling, with backoff
                failed = True
                name, delay = type(exc).__name__, backoff.next_delay
                log.error("getUpdates failed (%s: %s); retrying in %.1f s", name, exc, delay)
                await backoff.asleep()
                continue
            if failed:
                log.info("getUpdates works again")
                backoff.reset()
                failed = False
            seen = self._in_flight.keys() | self._finished
            fresh = [u for u in updates if u.update_id not in seen]
            handled = self._handled
            for update in fresh:
                self._in_flight[update.update_id] = loop.time()
                if self._highest is None or update.update_id > self._highest:
                    self._highest = update.update_id
                yield update

    def _room(self) -> int:
        """How many new updates the next getUpdates can bring: Telegram answers from the offset, and
        the updates being handled or handled above it take their places in the answer first."""
        offset = self.confirmable_offset()
        if offset is None:
            return GET_LIMIT
        taken = sum(1 for uid in self._in_flight if uid >= offset)
        taken += sum(1 for uid in self._finished if uid >= offset)
        return GET_LIMIT - taken

    async def _until_worth_asking(self, handled: int) -> None:
        """With updates still being handled, Telegram answers at once, from the offset, with those
        updates again (each parsed again: the bot's own CPU) and whatever came after them, and holds
        no long poll. So ask again once an update finished since the last batch was handed out
        (``handled``) and the answer has room for ``MIN_ROOM`` new ones; at most ``REFETCH_PAUSE``
        later in any case, so a slow handler keeps nobody else waiting longer than that. Asked at
        once, a steady stream cost 2-3 calls per update and a burst 4 parses of each."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REFETCH_PAUSE
        while self._in_flight and (self._handled == handled or self._room() < MIN_ROOM):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self._wait_progress(remaining)

    async def _wait_progress(self, seconds: float) -> None:
        """Until some update finishes, at most ``seconds``. ``asyncio.timeout``, not ``wait_for``:
        Python 3.11's ``wait_for`` swallows a cancellation that arrives as the wait ends, and the
        stop of polling (a cancellation) comes exactly when an update has just been answered."""
        assert self._progress is not None
        self._progress.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, seconds)):
                await self._progress.wait()

    async def confirm_handled(self, bot: Bot, *, wait: float = 5.0) -> None:
        """On a clean stop: let running updates finish (up to ``wait`` s), then tell Telegram which
        were handled, so that the next start does not answer them again."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while self._in_flight and self._progress is not None and loop.time() < deadline:
            await self._wait_progress(deadline - loop.time())
        offset = self.confirmable_offset()
        if offset is None:
            return
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                await bot(GetUpdates(offset=offset, limit=1, timeout=0))
        except Exception as exc:  # they come again after the restart; handled twice, not lost
            log.warning("could not confirm the last updates (%s: %s)", type(exc).__name__, exc)
