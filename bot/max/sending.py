"""Messages into MAX: text, files (two-step uploads), albums, edits, deletions and button answers."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile, URLInputFile

from bot.max.calls import (
    MEDIA_KINDS,
    NOT_READY,
    UPLOAD_KINDS,
    MaxSession,
    chat_of,
    default_of,
    handles,
    mid_of,
    target,
    text_and_format,
)
from bot.max.formatting import MAX_TEXT, split_text
from bot.max.keyboards import keyboard_attachment
from bot.max.updates import message_dicts

if TYPE_CHECKING:
    from aiogram import Bot


log = logging.getLogger(__name__)


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
    options = default_of(bot, getattr(method, "link_preview_options", None))
    disabled = getattr(options, "is_disabled", None) if options is not None else None
    if disabled is None:
        disabled = default_of(bot, getattr(method, "disable_web_page_preview", None))
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
