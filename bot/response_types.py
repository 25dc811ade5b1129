"""Keep aiogram's ``Response[...]`` classes alive for the bot's lifetime.

aiogram parses every Bot API answer with ``Response[method.__returning__]``. pydantic caches such
parametrised generics weakly, so after a garbage collection the class is built again: 3–4.5 ms of
CPU each time, about once in four replies under load (aiogram 3.31, pydantic 2.13). Holding one
strong reference per return type turns that into a dictionary lookup.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


def response_type(owner: object, returning: Any) -> Any:
    """``Response[returning]``, kept alive by ``owner`` (the session) from its first use."""
    pinned: dict[Any, Any] = owner.__dict__.setdefault("_response_types", {})
    found = pinned.get(returning)
    if found is None:
        found = pinned[returning] = Response[returning]  # type: ignore[valid-type]
    return found


class PinnedResponses:
    """Mixin for a Bot API session: pins the response class before aiogram looks it up."""

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        response_type(self, method.__returning__)
        return super().check_response(bot, method, status_code, content)  # type: ignore[misc]


class BotSession(PinnedResponses, AiohttpSession):
    """aiogram's aiohttp session with pinned response classes."""
