"""Bot API methods → MAX requests: the registry every translator adds itself to, and the helpers
they share (addressing, text format). Anything not registered raises ``TelegramBadRequest``
("... is not supported in MAX"). The translators: bot/max/sending.py (messages, files, edits,
button answers) and bot/max/bot_calls.py (the bot itself: getMe, commands, updates, webhook, files)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from aiogram.client.default import Default
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod

from bot.max.formatting import to_max_html
from bot.max.refs import Refs
from bot.response_types import response_type
from services.messengers import Messenger, max_native, messenger_of

if TYPE_CHECKING:
    from aiogram import Bot


log = logging.getLogger(__name__)


class MaxSession(Protocol):
    """What the translators use of bot/max/session.py's MaxSession."""

    refs: Refs
    marker: int | None
    timeout: float
    not_ready_retries: int
    not_ready_pause: float

    def next_update_id(self) -> int: ...

    async def request(
        self,
        method: TelegramMethod[Any],
        http_method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        form: aiohttp.FormData | None = None,
        request_timeout: float | None = None,
        absolute: bool = False,
    ) -> Any: ...


Handler = Callable[["MaxSession", "Bot", Any, "int | None"], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}
NOT_READY = "attachment.not.ready"  # MAX still processes an uploaded file: retry shortly

# Bot API method → MAX upload type
UPLOAD_KINDS = {
    "sendPhoto": ("photo", "image"),
    "sendDocument": ("document", "file"),
    "sendVideo": ("video", "video"),
    "sendAudio": ("audio", "audio"),
    "sendVoice": ("voice", "audio"),
}
MEDIA_KINDS = {"photo": "image", "document": "file", "video": "video", "audio": "audio"}


def handles(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = func
        return func

    return register


async def execute(
    session: MaxSession, bot: Bot, method: TelegramMethod[Any], request_timeout: int | None
) -> Any:
    name = method.__api_method__
    handler = HANDLERS.get(name)
    if handler is None:
        raise TelegramBadRequest(method=method, message=f"{name} is not supported in MAX")
    result = await handler(session, bot, method, request_timeout)
    return _validate(session, bot, method, result)


def _validate(session: MaxSession, bot: Bot, method: TelegramMethod[Any], result: Any) -> Any:
    # Pinned on the session: pydantic would rebuild the class after each garbage collection.
    return (
        response_type(session, method.__returning__)
        .model_validate({"ok": True, "result": result}, context={"bot": bot})
        .result
    )


def default_of(bot: Bot, value: Any) -> Any:
    return bot.default[value.name] if isinstance(value, Default) else value


# -- addressing ---------------------------------------------------------------------------------------


def target(method: TelegramMethod[Any], chat_id: Any) -> dict[str, int]:
    """The MAX recipient query for a chat address."""
    try:
        address = int(chat_id)
    except (TypeError, ValueError):
        raise TelegramBadRequest(method=method, message=f"chat not found: {chat_id!r}") from None
    if messenger_of(address) is not Messenger.MAX:
        raise TelegramBadRequest(method=method, message=f"chat not found: {address} is not a MAX chat")
    native = max_native(address)
    return {"user_id": native} if address > 0 else {"chat_id": native}


def chat_of(address: int) -> dict[str, Any]:
    return {"id": address, "type": "private" if address > 0 else "group"}


async def mid_of(session: MaxSession, method: TelegramMethod[Any], message_id: Any) -> str:
    mid = await session.refs.mid(int(message_id)) if message_id is not None else None
    if mid is None:
        raise TelegramBadRequest(method=method, message="message to edit not found")
    return mid


def text_and_format(bot: Bot, text: str | None, parse_mode: Any) -> tuple[str | None, str | None]:
    if text is None:
        return None, None
    mode = default_of(bot, parse_mode)
    mode = getattr(mode, "value", mode)
    if isinstance(mode, str) and mode.lower() == "html":
        return to_max_html(text), "html"
    return text, None


# -- files ----------------------------------------------------------------------------------------------
