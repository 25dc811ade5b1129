"""Sends the outbox: paced under Telegram's limits, resilient to 429 / 403 / 5xx / timeouts.

Pacing is proactive (a slot every ``1/global_rate`` seconds, each chat at most once per
``chat_interval``) so Telegram rarely has to answer 429; when it does, every send pauses for
``retry_after`` (the pause is stored, a restarted sender keeps it). Given the process's ``Pacer``
(bot/pacing.py), the outbox also takes its slots from the buckets direct replies use, after them:
a broadcast and people chatting with the bot stay within Telegram's limits together, and a chat that
a reply just used is deferred rather than waited for. Each result is committed in its own short
session right after the request, so a restart resends only what had no answer yet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import aiogram.methods
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import FSInputFile
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.paced_requests import outbox_send
from bot.pacing import Pacer
from models import OutboxMessage, utcnow
from services import outbox
from services.messengers import MAX_FILE_PREFIX, Messenger
from services.metrics import Metrics

log = logging.getLogger(__name__)

_FILE_FIELDS = ("photo", "document", "media")
# How long a claimed message stays invisible to other reads; longer than any single request.
CLAIM_LEASE = timedelta(minutes=2)
# Messages claimed per read, and how long a claim keeps other senders away: a killed sender's
# claims are due again this soon. A send takes the longer CLAIM_LEASE just before its request.
CLAIM_BATCH = 100
CLAIM_HOLD = timedelta(seconds=10)
# Slots a late loop may catch up on (a short burst, well inside Telegram's): without it every wake-up
# that comes late (a busy event loop, a slow commit) loses its lateness from the broadcast's rate.
SLOT_CATCH_UP = 2


def build_method(
    method: str,
    payload: dict[str, Any],
    files_dir: Path | None = None,
    messenger: Messenger = Messenger.TELEGRAM,
) -> TelegramMethod[Any]:
    """Turn a stored (JSON) request back into an aiogram method. A file given as
    ``{"path": ..., "filename": ..., "file_id": ...}`` (path relative to ``files_dir``) goes by its
    file id when the id was issued by ``messenger`` (a notice may have moved to the person's other
    messenger), else it is uploaded from disk."""
    cls = getattr(aiogram.methods, method[:1].upper() + method[1:], None)
    if cls is None or not isinstance(cls, type) or not issubclass(cls, TelegramMethod):
        raise ValueError(f"unknown Bot API method {method!r}")

    def upload(ref: Any) -> Any:
        if not isinstance(ref, dict) or "path" not in ref:
            return ref
        file_id = ref.get("file_id")
        if isinstance(file_id, str) and file_id.startswith(MAX_FILE_PREFIX) == (messenger is Messenger.MAX):
            return file_id
        path = Path(ref["path"])
        if not path.is_absolute() and files_dir is not None:
            path = files_dir / path
        return FSInputFile(path, filename=ref.get("filename"))

    data = dict(payload)
    for field in _FILE_FIELDS:
        data[field] = upload(data[field]) if field in data else None
        if data[field] is None:
            del data[field]
    if isinstance(payload.get("media"), list):
        data["media"] = [{**item, "media": upload(item.get("media"))} for item in payload["media"]]
    return cls.model_validate(data)


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        global_rate: float = 29.5,
        chat_interval: float = 1.0,
        max_in_flight: int = 16,
        idle_poll: float = 1.0,
        files_dir: Path | None = None,
        pacer: Pacer | None = None,
        messenger: Messenger | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.bot = bot
        # With two messengers, one sender per messenger, each reading only its own chats.
        self.messenger = messenger
        self.pacer = pacer
        self.files_dir = files_dir
        self.session_factory = session_factory
        self.slot = 1.0 / global_rate
        self.chat_interval = chat_interval
        self.idle_poll = idle_poll
        self.claim_batch = CLAIM_BATCH
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy_chats: set[int] = set()
        self._chat_last: dict[int, float] = {}
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._wakeup = asyncio.Event()
        self._stop: asyncio.Event | None = None
        self.stats = {"sent": 0, "retry_after": 0, "blocked": 0, "failed": 0, "retried": 0}
        if metrics is not None:  # the same counters, mirrored into /metrics (services/metrics.py)
            self.stats = metrics.send_stats((messenger or Messenger.TELEGRAM).value)

    def notify(self) -> None:
        """Wake the loop now (something was enqueued) instead of at the next poll."""
        self._wakeup.set()

    async def run(self, stop: asyncio.Event, *, until_empty: bool = False) -> None:
        """Send until ``stop`` is set (or, with ``until_empty``, until nothing is pending).

        On stop, requests already in flight are finished and recorded before returning, so a
        graceful stop (SIGTERM) never leaves a sent message unrecorded.
        """
        log.info("outbox sender started")
        self._stop = stop
        await self.restore_pause()
        try:
            while not stop.is_set():
                # Cleared before reading, so a notice queued while we read still wakes the wait.
                self._wakeup.clear()
                started = await self.send_due()
                if started:
                    continue
                if until_empty:
                    await self.wait_idle()
                    async with self.session_factory() as session:
                        if await outbox.next_due_at(session, self.messenger) is None:
                            return
                waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wakeup.wait())]
                await asyncio.wait(waits, timeout=self.idle_poll, return_when=asyncio.FIRST_COMPLETED)
                for w in waits:
                    w.cancel()
        finally:
            await self.wait_idle()
            log.info("outbox sender stopped")

    async def restore_pause(self) -> None:
        """Keep a 429 pause that a previous (stopped or killed) sender was still waiting out."""
        async with self.session_factory() as session:
            until = await outbox.pause_until(session, utcnow(), self.messenger)
        if until is not None:
            remaining = (until - utcnow()).total_seconds()
            self._paused_until = max(self._paused_until, time.monotonic() + remaining)
            if self.pacer is not None:  # replies wait for it too
                self.pacer.pause(remaining)
            log.info("outbox: keeping Telegram's pause for %.1f s more", remaining)

    async def wait_idle(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self, max_seconds: float = 30.0) -> None:
        """Send until nothing is pending, waiting out backoffs and pacing (tests, CLI)."""
        deadline = time.monotonic() + max_seconds
        await self.restore_pause()
        while time.monotonic() < deadline:
            await self.send_due()
            await self.wait_idle()
            async with self.session_factory() as session:
                next_due = await outbox.next_due_at(session, self.messenger)
            if next_due is None:
                return
            wait = (next_due - utcnow()).total_seconds()
            # Re-check at least twice a second: another sender may finish what it had claimed.
            await asyncio.sleep(min(max(wait, 0.01), 0.5, max(deadline - time.monotonic(), 0)))
        raise TimeoutError("the outbox still has pending messages")

    async def send_due(self) -> int:
        """Start sends for what is due now; returns how many were started."""
        # Claimed (leased) in one short transaction: other senders (workers) skip these rows. The
        # session is closed before pacing sleeps: no connection is held while waiting.
        now = utcnow()
        held = now + CLAIM_HOLD
        async with self.session_factory() as session:
            due = await outbox.claim_due(
                session, now=now, limit=self.claim_batch, lease=CLAIM_HOLD, messenger=self.messenger
            )
            await session.commit()
        deferrals: list[tuple[int, float]] = []
        started = 0
        for message in due:
            if self._stop is not None and self._stop.is_set():
                deferrals.append((message.id, 0.0))  # give the claim back: another sender may take it
                continue
            if message.chat_id in self._busy_chats:  # claimed: hand it back for after this send
                deferrals.append((message.id, self.chat_interval))
                continue
            wait = self._chat_last.get(message.chat_id, -1e9) + self.chat_interval - time.monotonic()
            if wait <= 0:
                wait = await self._take_slot(message)
            if wait > 0:
                deferrals.append((message.id, wait))
                continue
            self._start(message, held)
            started += 1
        if deferrals:
            async with self.session_factory() as session:
                for message_id, wait in deferrals:
                    until = utcnow() + timedelta(seconds=wait)
                    await outbox.release(session, message_id, held_until=held, until=until)
                await session.commit()
        return started

    async def _take_slot(self, message: OutboxMessage) -> float:
        """Wait for the outbox's own slot, then for the shared pacer's; 0, or how long to defer."""
        if self.pacer is not None:
            delay = self.pacer.chat_delay(message.chat_id, self._count(message))
            if delay > 0:  # before our slot is spent on it
                return delay
        now = time.monotonic()
        scheduled = max(self._next_slot, now - SLOT_CATCH_UP * self.slot)
        start = max(now, scheduled, self._paused_until)
        self._next_slot = max(scheduled, self._paused_until) + self.slot
        if start > now:
            await asyncio.sleep(start - now)
        if self.pacer is None:
            return 0.0
        return await self.pacer.acquire_bulk(message.chat_id, self._count(message))

    def _refund_slot(self, message: OutboxMessage) -> None:
        """A chat that blocked the bot refuses before Telegram's flood control counts a message
        (the sandbox models it so): the slot it took goes to the next message, so 3 % blocked
        recipients do not cost 3 % of the broadcast's rate."""
        self._next_slot = max(time.monotonic(), self._next_slot - self.slot)
        if self.pacer is not None:
            self.pacer.refund(self._count(message))

    @staticmethod
    def _count(message: OutboxMessage) -> int:
        media = message.payload.get("media")
        return len(media) if message.method == "sendMediaGroup" and isinstance(media, list) else 1

    def _start(self, message: OutboxMessage, held: datetime) -> None:
        self._busy_chats.add(message.chat_id)
        self._chat_last[message.chat_id] = time.monotonic()
        task = asyncio.create_task(self._send(message, held))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, message: OutboxMessage, held: datetime) -> None:
        try:
            async with self._in_flight:
                await self._send_one(message, held)
        except Exception:  # never let one message kill the loop
            log.exception("outbox message %s: unexpected error", message.id)
        finally:
            self._busy_chats.discard(message.chat_id)

    async def _send_one(self, message: OutboxMessage, held: datetime) -> None:
        """Send a message claimed by ``send_due`` (its claim ending at ``held``); record the result."""
        async with self.session_factory() as session:
            leased = await outbox.take_lease(
                session, message.id, held_until=held, now=utcnow(), lease=CLAIM_LEASE
            )
            await session.commit()
        if not leased:  # our claim expired (a long pause) and another sender took the message
            return
        try:
            with outbox_send():  # paced above; a 429 is handled below, not retried in the middleware
                result = await self.bot(
                    build_method(
                        message.method, message.payload, self.files_dir, self.messenger or Messenger.TELEGRAM
                    )
                )
        except TelegramRetryAfter as exc:
            self.stats["retry_after"] += 1
            self._paused_until = max(self._paused_until, time.monotonic() + exc.retry_after)
            until = utcnow() + timedelta(seconds=exc.retry_after)
            await self._commit(
                partial(outbox.defer, reason=f"{outbox.RETRY_AFTER_MARK}={exc.retry_after}"),
                message.id,
                until,
            )
        except TelegramForbiddenError as exc:
            self.stats["blocked"] += 1
            self._refund_slot(message)
            await self._commit(outbox.mark_blocked, message.chat_id, str(exc))
        except TelegramBadRequest as exc:
            if "message is not modified" in str(exc):
                await self._commit(outbox.mark_sent, message.id, None)
                return
            self.stats["failed"] += 1
            log.warning("outbox message %s refused: %s", message.id, exc)
            await self._commit(outbox.mark_failed, message.id, str(exc))
        except (TelegramNotFound, ValueError) as exc:
            self.stats["failed"] += 1
            await self._commit(outbox.mark_failed, message.id, str(exc))
        except (TelegramServerError, TelegramNetworkError, TimeoutError, OSError) as exc:
            self.stats["retried"] += 1
            await self._commit(outbox.mark_retry, message, f"{type(exc).__name__}: {exc}")
        else:
            self.stats["sent"] += 1
            message_id = getattr(result, "message_id", None)
            if isinstance(result, list) and result:
                message_id = getattr(result[0], "message_id", None)
            await self._commit(outbox.mark_sent, message.id, message_id)

    async def _commit(self, fn: Any, *args: Any) -> None:
        async with self.session_factory() as session:
            await fn(session, *args)
            await session.commit()
