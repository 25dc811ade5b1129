"""The outermost of our update middlewares: log context and metrics for every update.

It runs inside aiogram's error middleware, so a handler's exception passes here first (counted as
an ``error`` outcome) and the error handler's log line still carries the update's ids. The hot path
is one context variable, a clock read, one counter and one histogram.
"""

from __future__ import annotations

import time
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser

from bot.middleware_types import NextHandler
from services.log_context import CURRENT_UPDATE, UpdateContext
from services.metrics import Metrics


class ObserveMiddleware(BaseMiddleware):
    def __init__(self, metrics: Metrics | None, messenger: str) -> None:
        self.metrics = metrics
        self.messenger = messenger

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: TgUser | None = data.get("event_from_user")
        update_id = event.update_id if isinstance(event, Update) else None
        # Not reset on the way out: the task handling this update ends with it (services/log_context.py),
        # and the error handler, which runs after us, logs with the same ids.
        CURRENT_UPDATE.set(UpdateContext(update_id, user.id if user is not None else None))
        metrics = self.metrics
        if metrics is None:
            return await handler(event, data)
        update_type = (event.event_type if isinstance(event, Update) else None) or "unknown"
        started = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception as exc:
            metrics.handler_failed(self.messenger, exc)
            metrics.update_handled(self.messenger, update_type, "error", time.perf_counter() - started)
            raise
        outcome = "unhandled" if result is UNHANDLED else "handled"
        metrics.update_handled(self.messenger, update_type, outcome, time.perf_counter() - started)
        return result
