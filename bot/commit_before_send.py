"""Commit an update's database work before the bot tells the user anything about it.

Handlers answer ("Report sent", "Registered as № 2026-000123") before they return, and the session
middleware commits only after they return. Without this, a user could read a confirmation for a
change that a failed commit then loses, and anyone reading the database right after the reply
(another process, the panel, a test) could miss it. This client-side request middleware runs in the
handler's own task: when the update's session has written something, it commits first, then sends.
The outbox sender uses the same bot from its own task, where no update session is current.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import has_writes

UPDATE_SESSION: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


class CommitBeforeSend(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        session = UPDATE_SESSION.get()
        if session is not None and has_writes(session):
            await session.commit()  # clears the flag (models/db.py)
        return await make_request(bot, method)
