"""Bot API methods → MAX requests, and MAX answers → what aiogram expects back.

Anything not listed in ``HANDLERS`` raises ``TelegramBadRequest`` ("... is not supported in MAX")."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from aiogram.client.default import Default
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import Response, TelegramMethod
from aiogram.types import InputFile, URLInputFile

from bot.max.formatting import MAX_TEXT, split_text, to_max_html
from bot.max.keyboards import keyboard_attachment
from bot.max.refs import Refs
from bot.max.updates import UPDATE_TYPES, message_dicts, update_dicts
from services.files import MAX_FILE_BYTES
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
    return _validate(bot, method, result)


def _validate(bot: Bot, method: TelegramMethod[Any], result: Any) -> Any:
    response_type = Response[method.__returning__]  # type: ignore[name-defined]
    return response_type.model_validate({"ok": True, "result": result}, context={"bot": bot}).result


def _value(bot: Bot, value: Any) -> Any:
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
    mode = _value(bot, parse_mode)
    mode = getattr(mode, "value", mode)
    if isinstance(mode, str) and mode.lower() == "html":
        return to_max_html(text), "html"
    return text, None


# -- files ----------------------------------------------------------------------------------------------


async def _read(bot: Bot, file: InputFile) -> bytes:
    return b"".join([chunk async for chunk in file.read(bot)])


async def upload(
    session: MaxSession, bot: Bot, method: TelegramMethod[Any], file: InputFile, kind: str
) -> str:
    """Upload ``file`` to MAX; its attachment token."""
    data = await _read(bot, file)
    answer = await session.request(method, "POST", "/uploads", params={"type": kind})
    form = aiohttp.FormData()
    form.add_field("data", data, filename=file.filename or "file")
    uploaded = await session.request(method, "POST", answer["url"], form=form, absolute=True)
    token = (uploaded or {}).get("token")
    if token is None:
        photos = (uploaded or {}).get("photos") or {}
        token = next((p.get("token") for p in photos.values() if p.get("token")), None)
    if token is None:
        raise TelegramBadRequest(method=method, message="MAX returned no token for the upload")
    return str(token)


async def attachment_for(
    session: MaxSession, bot: Bot, method: TelegramMethod[Any], media: Any, kind: str
) -> dict[str, Any]:
    """An AttachmentRequest for an InputFile, a ``max:`` file id or a URL."""
    if isinstance(media, InputFile):
        return {"type": kind, "payload": {"token": await upload(session, bot, method, media, kind)}}
    if isinstance(media, str):
        info = await session.refs.file(media)
        if info is not None:
            sent_kind = info.kind if info.kind in MEDIA_KINDS.values() else kind
            if info.token:
                return {"type": sent_kind, "payload": {"token": info.token}}
            if info.url and sent_kind == "image":
                return {"type": "image", "payload": {"url": info.url}}
        if media.startswith(("http://", "https://")):
            if kind == "image":
                return {"type": "image", "payload": {"url": media}}
            file = URLInputFile(media, filename=media.rsplit("/", 1)[-1] or "file")
            return {"type": kind, "payload": {"token": await upload(session, bot, method, file, kind)}}
    raise TelegramBadRequest(method=method, message=f"wrong file identifier for MAX: {str(media)[:40]!r}")


# -- sending ----------------------------------------------------------------------------------------------


async def _post(
    session: MaxSession,
    method: TelegramMethod[Any],
    recipient: dict[str, Any],
    body: dict[str, Any],
) -> dict[str, Any]:
    params = dict(recipient)
    if body.pop("_no_preview", False):
        params["disable_link_preview"] = True
    for attempt in range(session.not_ready_retries + 1):
        try:
            answer = await session.request(method, "POST", "/messages", params=params, body=body)
            return answer["message"]
        except TelegramBadRequest as exc:
            if not exc.message.startswith(NOT_READY) or attempt >= session.not_ready_retries:
                raise
            await asyncio.sleep(session.not_ready_pause * (attempt + 1))
    raise AssertionError("unreachable")


async def send(
    session: MaxSession,
    bot: Bot,
    method: TelegramMethod[Any],
    *,
    chat_id: Any,
    text: str | None,
    parse_mode: Any,
    attachments: list[dict[str, Any]],
    reply_markup: Any,
    no_preview: bool = False,
) -> dict[str, Any]:
    """POST /messages (split when the text is too long; media and keyboard go with the last piece);
    returns the aiogram message dict of the last MAX message."""
    recipient = target(method, chat_id)
    address = int(chat_id)
    converted, fmt = text_and_format(bot, text, parse_mode)
    pieces: list[str | None] = split_text(converted, MAX_TEXT, html=fmt == "html") if converted else [None]
    keyboard = keyboard_attachment(reply_markup) if reply_markup is not None else None
    sent: dict[str, Any] = {}
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        body: dict[str, Any] = {"text": piece, "notify": True, "format": fmt if piece else None}
        items = list(attachments) if last else []
        if last and keyboard is not None:
            items.append(keyboard)
        body["attachments"] = items or None
        if no_preview:
            body["_no_preview"] = True
        sent = await _post(session, method, recipient, body)
    return await _outgoing(session, sent, address)


async def _outgoing(session: MaxSession, sent: dict[str, Any], address: int) -> dict[str, Any]:
    parts = await message_dicts(sent, session.refs)
    message = parts[0]
    message["chat"] = chat_of(address)
    if len(parts) > 1:  # our own album: one message with all the media
        message.pop("media_group_id", None)
    return message


def _no_preview(bot: Bot, method: Any) -> bool:
    options = _value(bot, getattr(method, "link_preview_options", None))
    disabled = getattr(options, "is_disabled", None) if options is not None else None
    if disabled is None:
        disabled = _value(bot, getattr(method, "disable_web_page_preview", None))
    return bool(disabled)


@handles("sendMessage")
async def send_message(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    return await send(
        session,
        bot,
        method,
        chat_id=method.chat_id,
        text=method.text,
        parse_mode=method.parse_mode,
        attachments=[],
        reply_markup=method.reply_markup,
        no_preview=_no_preview(bot, method),
    )


@handles(*UPLOAD_KINDS)
async def send_media(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    field, kind = UPLOAD_KINDS[method.__api_method__]
    target(method, method.chat_id)  # fail before uploading
    attachment = await attachment_for(session, bot, method, getattr(method, field), kind)
    return await send(
        session,
        bot,
        method,
        chat_id=method.chat_id,
        text=method.caption,
        parse_mode=method.parse_mode,
        attachments=[attachment],
        reply_markup=method.reply_markup,
    )


@handles("sendMediaGroup")
async def send_media_group(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    target(method, method.chat_id)
    attachments = []
    caption, parse_mode = None, None
    for item in method.media:
        kind = MEDIA_KINDS.get(item.type)
        if kind is None:
            raise TelegramBadRequest(
                method=method, message=f"media of type {item.type} is not supported in MAX"
            )
        attachments.append(await attachment_for(session, bot, method, item.media, kind))
        if caption is None and item.caption:
            caption, parse_mode = item.caption, item.parse_mode
    message = await send(
        session,
        bot,
        method,
        chat_id=method.chat_id,
        text=caption,
        parse_mode=parse_mode,
        attachments=attachments,
        reply_markup=None,
    )
    return [message for _ in method.media]


@handles("sendChatAction")
async def send_chat_action(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    return True


# -- editing --------------------------------------------------------------------------------------------


def _edited(method: Any, text: str | None, caption: bool = False) -> Any:
    if method.chat_id is None:
        return True
    message: dict[str, Any] = {
        "message_id": int(method.message_id),
        "date": int(time.time()),
        "chat": chat_of(int(method.chat_id)),
        "edit_date": int(time.time()),
    }
    if text is not None:
        message["caption" if caption else "text"] = text
    if getattr(method, "reply_markup", None) is not None:
        message["reply_markup"] = method.reply_markup.model_dump(exclude_none=True)
    return message


async def _media_of(session: MaxSession, method: Any, mid: str) -> list[dict[str, Any]]:
    """The media attachments of MAX message ``mid``, as AttachmentRequests (to keep them)."""
    message = await session.request(method, "GET", f"/messages/{mid}")
    kept = []
    for attachment in ((message or {}).get("body") or {}).get("attachments") or []:
        if attachment.get("type") in MEDIA_KINDS.values():
            payload = attachment.get("payload") or {}
            if payload.get("token"):
                kept.append({"type": attachment["type"], "payload": {"token": payload["token"]}})
            elif payload.get("url") and attachment["type"] == "image":
                kept.append({"type": "image", "payload": {"url": payload["url"]}})
    return kept


async def _put(session: MaxSession, method: Any, mid: str, body: dict[str, Any]) -> None:
    for attempt in range(session.not_ready_retries + 1):
        try:
            await session.request(method, "PUT", "/messages", params={"message_id": mid}, body=body)
            return
        except TelegramBadRequest as exc:
            if not exc.message.startswith(NOT_READY) or attempt >= session.not_ready_retries:
                raise
            await asyncio.sleep(session.not_ready_pause * (attempt + 1))


def _inline_only(method: Any) -> None:
    if method.inline_message_id is not None:
        raise TelegramBadRequest(method=method, message="inline messages are not supported in MAX")


@handles("editMessageText")
async def edit_message_text(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    _inline_only(method)
    mid = await mid_of(session, method, method.message_id)
    text, fmt = text_and_format(bot, method.text, method.parse_mode)
    text = split_text(text or "", MAX_TEXT, html=fmt == "html")[0]
    keyboard = keyboard_attachment(method.reply_markup) if method.reply_markup is not None else None
    # As in Telegram, an edit without a keyboard removes the old one.
    await _put(
        session, method, mid, {"text": text, "format": fmt, "attachments": [keyboard] if keyboard else []}
    )
    return _edited(method, method.text)


@handles("editMessageCaption")
async def edit_message_caption(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    _inline_only(method)
    mid = await mid_of(session, method, method.message_id)
    text, fmt = text_and_format(bot, method.caption or "", method.parse_mode)
    attachments = await _media_of(session, method, mid)
    keyboard = keyboard_attachment(method.reply_markup) if method.reply_markup is not None else None
    if keyboard:
        attachments.append(keyboard)
    await _put(session, method, mid, {"text": text, "format": fmt, "attachments": attachments})
    return _edited(method, method.caption, caption=True)


@handles("editMessageReplyMarkup")
async def edit_message_reply_markup(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    _inline_only(method)
    mid = await mid_of(session, method, method.message_id)
    attachments = await _media_of(session, method, mid)
    keyboard = keyboard_attachment(method.reply_markup) if method.reply_markup is not None else None
    if keyboard:
        attachments.append(keyboard)
    await _put(session, method, mid, {"attachments": attachments})
    return _edited(method, None)


@handles("deleteMessage")
async def delete_message(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    mid = await session.refs.mid(int(method.message_id))
    if mid is None:
        raise TelegramBadRequest(method=method, message="message to delete not found")
    await session.request(method, "DELETE", "/messages", params={"message_id": mid})
    return True


@handles("deleteMessages")
async def delete_messages(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    for message_id in method.message_ids:
        mid = await session.refs.mid(int(message_id))
        if mid is not None:
            await session.request(method, "DELETE", "/messages", params={"message_id": mid})
    return True


# -- callbacks, bot, updates, files ------------------------------------------------------------------


@handles("answerCallbackQuery")
async def answer_callback_query(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    await session.request(
        method,
        "POST",
        "/answers",
        params={"callback_id": method.callback_query_id},
        body={"message": None, "notification": method.text or None},
    )
    return True


@handles("getMe")
async def get_me(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    from services.messengers import max_address

    me = await session.request(method, "GET", "/me")
    return {
        "id": max_address(int(me["user_id"])),
        "is_bot": True,
        "first_name": me.get("first_name") or me.get("name") or "",
        "last_name": me.get("last_name") or None,
        "username": me.get("username") or None,
    }


@handles("setMyCommands")
async def set_my_commands(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    if method.language_code:  # MAX has one command list: the default language's
        return True
    commands = [{"name": c.command, "description": c.description} for c in method.commands]
    await session.request(method, "PATCH", "/me", body={"commands": commands})
    return True


@handles("deleteMyCommands")
async def delete_my_commands(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    if method.language_code:
        return True
    await session.request(method, "PATCH", "/me", body={"commands": []})
    return True


@handles("getUpdates")
async def get_updates(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    # aiogram's ``offset`` acknowledges what it has handled; MAX's marker does the same job.
    poll = int(method.timeout or 0)
    params: dict[str, Any] = {
        "limit": min(int(method.limit or 100), 1000),
        "timeout": poll,
        "types": ",".join(UPDATE_TYPES),
        "marker": session.marker,
    }
    answer = await session.request(
        method, "GET", "/updates", params=params, request_timeout=poll + session.timeout
    )
    if answer.get("marker") is not None:
        session.marker = int(answer["marker"])
    result: list[dict[str, Any]] = []
    for raw in answer.get("updates") or []:
        try:
            result.extend(await update_dicts(raw, session.refs, session.next_update_id))
        except Exception:  # one odd update must not stop the others
            log.exception("MAX update of type %s could not be translated", raw.get("update_type"))
    return result


async def _subscriptions(session: MaxSession, method: Any) -> list[dict[str, Any]]:
    answer = await session.request(method, "GET", "/subscriptions")
    return list((answer or {}).get("subscriptions") or [])


@handles("deleteWebhook")
async def delete_webhook(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    for subscription in await _subscriptions(session, method):
        await session.request(method, "DELETE", "/subscriptions", params={"url": subscription["url"]})
    return True


@handles("setWebhook")
async def set_webhook(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    body: dict[str, Any] = {"url": method.url, "update_types": list(UPDATE_TYPES)}
    if method.secret_token:
        body["secret"] = method.secret_token
    await session.request(method, "POST", "/subscriptions", body=body)
    return True


@handles("getWebhookInfo")
async def get_webhook_info(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    subscriptions = await _subscriptions(session, method)
    url = subscriptions[0]["url"] if subscriptions else ""
    return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}


@handles("getFile")
async def get_file(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    info = await session.refs.file(method.file_id)
    if info is None or not info.url:
        raise TelegramBadRequest(
            method=method, message="wrong file_id or the file is temporarily unavailable"
        )
    if info.size is not None and info.size > MAX_FILE_BYTES:
        raise TelegramBadRequest(method=method, message="file is too big")
    return {
        "file_id": method.file_id,
        "file_unique_id": method.file_id.split(":", 1)[-1],
        "file_size": info.size,
        "file_path": info.url,
    }


@handles("close", "logOut")
async def close(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    return True


@handles("sendLocation")
async def send_location(session: MaxSession, bot: Bot, method: Any, _timeout: int | None) -> Any:
    # The MAX subset we use has no outgoing location attachment: a map link instead.
    lat, lon = method.latitude, method.longitude
    link = f"https://yandex.ru/maps/?pt={lon:.6f},{lat:.6f}&z=17&l=map"
    message = await send(
        session,
        bot,
        method,
        chat_id=method.chat_id,
        text=f"📍 {lat:.6f}, {lon:.6f}\n{link}",
        parse_mode=None,
        attachments=[],
        reply_markup=method.reply_markup,
    )
    message["location"] = {"latitude": lat, "longitude": lon}
    return message
