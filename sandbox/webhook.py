"""Pushes queued updates to a bot's webhook, retrying with back-off like Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import hdrs

from .errors import ApiError
from .limits import MAX_BOT_UPLOAD_BYTES
from .params import Params, read_body
from .records import BotAccount, WebhookConfig
from .state import SandboxState

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
INITIAL_RETRY_DELAY = 0.2  # fast retries keep tests quick; real Telegram backs off much longer
MAX_RETRY_DELAY = 5.0
DELIVERY_TIMEOUT = aiohttp.ClientTimeout(total=60)

Executor = Callable[[SandboxState, BotAccount, str, Params], Awaitable[Any]]


class WebhookManager:
    def __init__(self, state: SandboxState, execute: Executor) -> None:
        self._state = state
        self._execute = execute  # runs a method returned in the webhook's HTTP reply
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def configure(self, bot: BotAccount) -> None:
        """(Re)start or stop delivery after setWebhook/deleteWebhook."""
        task = self._tasks.pop(bot.id, None)
        if task is not None:
            task.cancel()
        if bot.webhook is not None:
            self._tasks[bot.id] = asyncio.get_running_loop().create_task(
                self._deliver_forever(bot, bot.webhook)
            )

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _deliver_forever(self, bot: BotAccount, hook: WebhookConfig) -> None:
        """Deliver queued updates, up to ``max_connections`` requests open at once like Telegram
        (several worker processes behind one port each get connections), one at a time per chat so
        that a chat's updates arrive in order. A request that ends frees its connection for the next
        update at once: a slow update holds up its own chat only."""
        delay = INITIAL_RETRY_DELAY
        flying: dict[asyncio.Task[str | None], tuple[object, dict[str, Any]]] = {}
        wake: asyncio.Task[bool] | None = None
        try:
            while bot.webhook is hook:
                self._state.drop_disallowed(bot)
                room = max(1, hook.max_connections) - len(flying)
                if room > 0:
                    busy = {chat for chat, _update in flying.values()}
                    waiting = [u for u in bot.updates if _chat_of(u) not in busy]
                    for update in _one_per_chat(waiting, room):
                        task = asyncio.create_task(self._post(bot, hook, update))
                        flying[task] = (_chat_of(update), update)
                if wake is None:
                    wake = asyncio.create_task(bot.notifier.wait(30))
                done, _pending = await asyncio.wait({*flying, wake}, return_when=asyncio.FIRST_COMPLETED)
                if wake in done:
                    wake = None
                failed: list[str] = []
                for task in done:
                    if task not in flying:
                        continue
                    _chat, update = flying.pop(task)
                    try:
                        error = task.result()
                    except Exception as exc:  # reported as the failed delivery it is
                        error = f"Delivery failed: {exc.__class__.__name__}"
                    if error is None:
                        with contextlib.suppress(ValueError):
                            bot.updates.remove(update)
                        hook.delivered += 1
                        delay = INITIAL_RETRY_DELAY
                    else:
                        failed.append(error)
                if not failed:
                    continue
                hook.last_error_date, hook.last_error_message = int(time.time()), failed[0]
                await asyncio.sleep(delay)  # the failed update stays queued and goes again
                delay = min(delay * 2, MAX_RETRY_DELAY)
        finally:
            for task in [*flying, *([wake] if wake is not None else [])]:
                task.cancel()
            for task in [*flying, *([wake] if wake is not None else [])]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _post(self, bot: BotAccount, hook: WebhookConfig, update: dict[str, Any]) -> str | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=DELIVERY_TIMEOUT)
        headers = {hdrs.CONTENT_TYPE: "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        try:
            async with self._session.post(
                hook.url, data=json.dumps(update, ensure_ascii=False), headers=headers
            ) as resp:
                if not 200 <= resp.status < 300:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
                await self._run_reply(bot, resp)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {exc.__class__.__name__}"
        return None

    async def _run_reply(self, bot: BotAccount, resp: aiohttp.ClientResponse) -> None:
        """A webhook may answer with a method call in its HTTP reply; Telegram executes it."""
        content_type = resp.headers.get(hdrs.CONTENT_TYPE, "")
        if not content_type.startswith(
            ("application/json", "multipart/", "application/x-www-form-urlencoded")
        ):
            return
        try:
            params = await read_body(resp.headers, resp.content, max_file_bytes=MAX_BOT_UPLOAD_BYTES)
            method = params.values.pop("method", None)
            if isinstance(method, str) and method:
                await self._execute(self._state, bot, method, params)
        except ApiError as error:
            log.info("webhook reply method failed: %s", error.description)


def _chat_of(update: dict[str, Any]) -> object:
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
        sender = body.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return sender["id"]
    return ("update", update.get("update_id"))


def _one_per_chat(updates: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The oldest pending update of each chat, oldest first, at most ``limit``: a chat's updates
    reach the bot in order, different chats' in parallel."""
    batch: list[dict[str, Any]] = []
    seen: set[object] = set()
    for update in updates:
        chat = _chat_of(update)
        if chat in seen:
            continue
        seen.add(chat)
        batch.append(update)
        if len(batch) >= limit:
            break
    return batch
