"""Every Bot API request of the bot passes here: messages are paced, and a 429 is waited out.

A request middleware of the bot's session, so handlers, the error handler, scheduler jobs and the
outbox sender all get it without knowing. For a message (``send*``, ``copy*``, ``forward*``,
``editMessage*``...) it first takes a token of the process's ``Pacer``; any request answered with
429 records the pause and is repeated after ``retry_after`` — at most ``max_retries`` times and
``max_wait`` seconds in all, after that the error surfaces as it did before.

* ``answerCallbackQuery`` is not a message (not paced) and a query is only valid for about 15 s
  after the press, so its 429 is waited out only within ``CALLBACK_MAX_WAIT``; callers fall back
  to writing into the chat (handlers/errors.py).
* Requests of the outbox sender are paced by the sender itself (it defers a chat that is not ready
  instead of waiting) and a 429 there is persisted by the sender: they pass without retry, but the
  pause they draw still holds every reply back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.pacing import Pacer

log = logging.getLogger(__name__)

# Past this, a pressed button's query has probably expired: answering it later is pointless.
CALLBACK_MAX_WAIT = 10.0
_MESSAGE_PREFIXES = (
    "send",
    "copyMessage",
    "forwardMessage",
    "editMessage",
    "stopMessageLiveLocation",
    "stopPoll",
)
# Not messages in a chat: the typing indicator and streamed drafts.
_NOT_MESSAGES = ("sendChatAction", "sendMessageDraft", "sendRichMessageDraft")

_OUTBOX_SEND: ContextVar[bool] = ContextVar("outbox_send", default=False)


@contextmanager
def outbox_send() -> Iterator[None]:
    """Mark the requests made inside as the outbox sender's (already paced, 429 handled there)."""
    token = _OUTBOX_SEND.set(True)
    try:
        yield
    finally:
        _OUTBOX_SEND.reset(token)


# Pauses before trying a direct request again after a Bot API 5xx (seconds): half a minute in all. A
# 30-minute soak with injected 502 windows longer than the old 6 s lost replies (and the apologies).
SERVER_ERROR_PAUSES = (0.5, 1.5, 4.0, 8.0, 16.0)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    max_wait: float = 60.0  # seconds of retry_after one request may wait out in all


def message_count(method: TelegramMethod[Any]) -> int:
    """How many messages ``method`` produces in its chat (0: not a message)."""
    name = method.__api_method__
    if name in _NOT_MESSAGES or not name.startswith(_MESSAGE_PREFIXES):
        return 0
    items = getattr(method, "media" if name == "sendMediaGroup" else "message_ids", None)
    return len(items) if isinstance(items, list) and items else 1


class PacedRequests(BaseRequestMiddleware):
    def __init__(self, pacer: Pacer, policy: RetryPolicy | None = None) -> None:
        self.pacer = pacer
        self.policy = policy or RetryPolicy()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        count = message_count(method)
        chat_id = getattr(method, "chat_id", None)
        from_outbox = _OUTBOX_SEND.get()
        max_wait = self.policy.max_wait
        if method.__api_method__ == "answerCallbackQuery":
            max_wait = min(max_wait, CALLBACK_MAX_WAIT)
        retries, waited, server_errors = 0, 0.0, 0
        while True:
            if count and not from_outbox:
                await self.pacer.acquire(chat_id, count)  # also waits out a pause
            try:
                return await make_request(bot, method)
            except TelegramServerError:
                # Telegram's 5xx ("try again later"): a reply is tried again after a short pause, or the
                # person is left without one; the outbox has its own retries.
                if from_outbox or server_errors >= len(SERVER_ERROR_PAUSES):
                    raise
                log.warning("Bot API 5xx on %s (chat %s); retrying", method.__api_method__, chat_id)
                await asyncio.sleep(SERVER_ERROR_PAUSES[server_errors])
                server_errors += 1
            except TelegramRetryAfter as exc:
                if count:
                    self.pacer.pause(exc.retry_after)
                if from_outbox or retries >= self.policy.max_retries or waited + exc.retry_after > max_wait:
                    raise
                retries += 1
                waited += exc.retry_after
                log.warning(
                    "Telegram asks to wait %s s before %s (chat %s); retry %d",
                    exc.retry_after,
                    method.__api_method__,
                    chat_id,
                    retries,
                )
                if not count:  # messages wait in the pacer, which now holds the pause
                    await asyncio.sleep(exc.retry_after)
