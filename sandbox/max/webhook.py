"""Pushes each update to the subscribed URLs with the secret header, retrying a few times.

Several requests are open at once (``webhook_connections``), one per chat at a time so that a
chat's updates arrive in order: a bot that answers only after handling an update is not made to
handle the whole town's updates one by one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import aiohttp

from .state import MaxState

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"
DELIVERY_TIMEOUT = aiohttp.ClientTimeout(total=30)


class WebhookSender:
    def __init__(self, state: MaxState) -> None:
        self._state = state
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._flying: set[asyncio.Task[None]] = set()
        self._chats: dict[object, asyncio.Lock] = {}
        self._waiting: dict[object, int] = {}  # updates of a chat delivered or waiting for its turn
        self._slots: asyncio.Semaphore | None = None

    def ensure_running(self) -> None:
        if self._state.webhook_queue is None:
            self._state.webhook_queue = asyncio.Queue()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for flying in list(self._flying):
            flying.cancel()
        for flying in list(self._flying):
            with contextlib.suppress(asyncio.CancelledError):
                await flying
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while True:
            queue = self._state.webhook_queue
            if queue is None:
                return
            update = await queue.get()
            if self._slots is None:
                self._slots = asyncio.Semaphore(max(1, self._state.config.webhook_connections))
            # Created in the queue's order, each task takes its chat's lock first (FIFO): in order.
            task = asyncio.get_running_loop().create_task(self._deliver_in_turn(update, self._slots))
            self._flying.add(task)
            task.add_done_callback(self._flying.discard)

    async def _deliver_in_turn(self, update: dict[str, Any], slots: asyncio.Semaphore) -> None:
        chat = _chat_of(update)
        lock = self._chats.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock, slots:
                for subscription in list(self._state.subscriptions):
                    types = subscription.update_types
                    if types and update["update_type"] not in types:
                        continue
                    await self._deliver(subscription, update)
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat], self._chats[chat]

    async def _deliver(self, subscription: Any, update: dict[str, Any]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=DELIVERY_TIMEOUT)
        headers = {"Content-Type": "application/json"}
        if subscription.secret:
            headers[SECRET_HEADER] = subscription.secret
        config = self._state.config
        delay = config.webhook_retry_delay
        data = json.dumps(update, ensure_ascii=False)
        for attempt in range(max(1, config.webhook_attempts)):
            if attempt:
                await asyncio.sleep(delay)
                delay *= 2
            try:
                async with self._session.post(subscription.url, data=data, headers=headers) as resp:
                    if 200 <= resp.status < 300:
                        subscription.delivered += 1
                        return
                    subscription.last_error = f"HTTP {resp.status}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                subscription.last_error = f"{exc.__class__.__name__}: {exc}"
        subscription.failed += 1
        log.info("MAX sandbox: webhook %s dropped an update: %s", subscription.url, subscription.last_error)


def _chat_of(update: dict[str, Any]) -> object:
    """The dialog or chat an update belongs to."""
    message = update.get("message") or {}
    recipient = message.get("recipient") or {}
    for chat_id in (recipient.get("chat_id"), update.get("chat_id")):
        if chat_id is not None:
            return ("chat", chat_id)
    for holder in (update.get("callback") or {}, message, update):
        person = holder.get("user") or holder.get("sender")
        if isinstance(person, dict) and person.get("user_id") is not None:
            return ("user", person["user_id"])
    return ("update", id(update))
