"""Text from Telegram made storable before any handler sees it (``services/text_input.py``).

A NUL or another control character in a message, a caption, a shared contact, a file name, a
sender's name or callback data used to reach the database as it came (PostgreSQL refuses NUL). This
outer ``update`` middleware rebuilds a dirty update with every string cleaned, so every handler,
present or future, gets clean text. Clean updates (nearly all) pass through untouched: the check walks
the parsed objects' attributes (~7 µs for a message) rather than dumping the whole update (~26 µs).

Entity offsets count characters of the original text; when a text changes, its entities are
dropped rather than left pointing at the wrong characters.
"""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import (
    EVENT_CHAT_KEY,
    EVENT_CONTEXT_KEY,
    EVENT_FROM_USER_KEY,
    UserContextMiddleware,
)
from aiogram.types import TelegramObject, Update
from pydantic import BaseModel

from bot.middleware_types import NextHandler
from services.text_input import clean_text, is_clean

_ENTITIES = (("text", "entities"), ("caption", "caption_entities"))


class CleanTextMiddleware(BaseMiddleware):
    """Registered on ``update`` before the database middleware (which stores the sender's name)."""

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and not _all_clean(event):
            dumped = event.model_dump(exclude_unset=True)
            event = Update.model_validate(_cleaned(dumped), context={"bot": data.get("bot")})
            # aiogram resolved the sender and chat from the dirty update a step earlier.
            context = data[EVENT_CONTEXT_KEY] = UserContextMiddleware.resolve_event_context(event)
            if context.user is not None:
                data[EVENT_FROM_USER_KEY] = context.user
            if context.chat is not None:
                data[EVENT_CHAT_KEY] = context.chat
        return await handler(event, data)


def _all_clean(value: Any) -> bool:
    if isinstance(value, str):
        return is_clean(value)
    if isinstance(value, BaseModel):
        # Declared fields live in __dict__; fields Telegram added after this aiogram release, in the extras.
        extra = value.__pydantic_extra__
        fields = value.__dict__.values()
        return all(_all_clean(v) for v in fields if v is not None) and (not extra or _all_clean(extra))
    if isinstance(value, dict):
        return all(_all_clean(k) and _all_clean(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_all_clean(v) for v in value)
    return True


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        out = {_cleaned(k): _cleaned(v) for k, v in value.items()}
        for text_key, entities_key in _ENTITIES:
            if out.get(text_key) != value.get(text_key):
                out.pop(entities_key, None)
        return out
    return value
