"""MAX updates → aiogram ``Update`` objects, so the ordinary dispatcher and handlers serve them.

* ids become chat addresses (services/messengers.py); a private dialog is the person's address;
* MAX message ids become integers (refs.py), files become ``max:…`` file ids;
* several images/files in one MAX message become several updates sharing ``media_group_id`` (the
  message's mid), the text as the first one's caption — Telegram's album shape;
* ``bot_started`` (also a deep link) is the text ``/start <payload>``.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiogram.types import Update

from bot.max.refs import FileInfo, Refs
from services.messengers import max_address

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

UPDATE_TYPES = ("message_created", "message_callback", "bot_started", "bot_stopped")
_MEDIA = {"image", "file", "video", "audio"}


def user_dict(user: dict[str, Any], locale: str | None = None) -> dict[str, Any]:
    first = user.get("first_name") or user.get("name") or ""
    data: dict[str, Any] = {
        "id": max_address(int(user["user_id"])),
        "is_bot": bool(user.get("is_bot")),
        "first_name": first,
        "last_name": user.get("last_name") or None,
        "username": user.get("username") or None,
    }
    if locale and not data["is_bot"]:
        data["language_code"] = locale
    return data


def chat_dict(message: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    """The aiogram chat of a MAX message: a dialog is the person's address, as in Telegram."""
    recipient = message.get("recipient") or {}
    if recipient.get("chat_type", "dialog") == "dialog":
        sender = message.get("sender") or {}
        if sender and not sender.get("is_bot"):
            person = sender
        elif recipient.get("user_id") is not None:
            person = {"user_id": recipient["user_id"]}
        else:
            person = user or sender
        chat: dict[str, Any] = {"id": max_address(int(person["user_id"])), "type": "private"}
        if person.get("first_name") or person.get("name"):
            chat["first_name"] = person.get("first_name") or person.get("name")
            chat["last_name"] = person.get("last_name") or None
            chat["username"] = person.get("username") or None
        return chat
    return {"id": max_address(int(recipient["chat_id"])), "type": "group", "title": ""}


def parse_vcf(vcf: str) -> tuple[str | None, str | None]:
    """(phone as ``+digits``, display name) from a vCard."""
    phone = name = None
    for raw in re.split(r"\r?\n", vcf or ""):
        key, sep, value = raw.partition(":")
        if not sep:
            continue
        field = key.split(";", 1)[0].strip().upper()
        if field == "TEL" and phone is None:
            digits = re.sub(r"\D", "", value)
            phone = "+" + digits if digits else None
        elif field == "FN" and name is None:
            name = value.strip() or None
    return phone, name


def _keyboard_back(attachment: dict[str, Any]) -> dict[str, Any] | None:
    rows = []
    for row in (attachment.get("payload") or {}).get("buttons") or []:
        converted = []
        for button in row:
            if button.get("type") == "callback":
                converted.append({"text": button["text"], "callback_data": button.get("payload") or ""})
            elif button.get("type") == "link":
                converted.append({"text": button["text"], "url": button["url"]})
        if converted:
            rows.append(converted)
    return {"inline_keyboard": rows} if rows else None


async def _media_item(attachment: dict[str, Any], refs: Refs) -> tuple[str, Any]:
    kind = attachment["type"]
    payload = attachment.get("payload") or {}
    filename = attachment.get("filename")
    size = attachment.get("size")
    info = FileInfo(kind, payload.get("token"), payload.get("url"), filename, size)
    file_id = await refs.file_id(info)
    unique = file_id.split(":", 1)[1]
    if kind == "image":
        return "photo", [{"file_id": file_id, "file_unique_id": unique, "width": 0, "height": 0}]
    if kind == "file":
        doc: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique, "file_name": filename}
        if size is not None:
            doc["file_size"] = size
        if filename:
            doc["mime_type"] = mimetypes.guess_type(filename)[0]
        return "document", doc
    if kind == "video":
        return "video", {"file_id": file_id, "file_unique_id": unique, "width": 0, "height": 0, "duration": 0}
    return "audio", {"file_id": file_id, "file_unique_id": unique, "duration": 0}


async def message_dicts(
    message: dict[str, Any], refs: Refs, *, locale: str | None = None, user: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A MAX Message as aiogram message dicts: one, or one per image/file of an album."""
    body = message.get("body") or {}
    chat = chat_dict(message, user)
    base: dict[str, Any] = {
        "message_id": await refs.message_id(body["mid"], chat["id"]),
        "date": int(message.get("timestamp") or 0) // 1000,
        "chat": chat,
    }
    sender = message.get("sender") or user
    if sender:
        base["from"] = user_dict(sender, locale)
    text = body.get("text") or None
    media: list[tuple[str, Any]] = []
    for attachment in body.get("attachments") or []:
        kind = attachment.get("type")
        if kind in _MEDIA:
            media.append(await _media_item(attachment, refs))
        elif kind == "contact":
            payload = attachment.get("payload") or {}
            phone, name = parse_vcf(payload.get("vcf_info") or "")
            info = payload.get("max_info")
            contact: dict[str, Any] = {
                "phone_number": phone or "",
                "first_name": name or (info or {}).get("first_name") or (info or {}).get("name") or "",
            }
            if info and info.get("user_id") is not None:
                contact["user_id"] = max_address(int(info["user_id"]))
            base["contact"] = contact
        elif kind == "location":
            base["location"] = {"latitude": attachment["latitude"], "longitude": attachment["longitude"]}
        elif kind == "sticker":
            payload = attachment.get("payload") or {}
            code = str(payload.get("code") or "sticker")
            base["sticker"] = {
                "file_id": f"maxsticker:{code}",
                "file_unique_id": code,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        elif kind == "inline_keyboard":
            markup = _keyboard_back(attachment)
            if markup:
                base["reply_markup"] = markup
    if not media:
        if text is not None:
            base["text"] = text
        return [base]
    if len(media) == 1:
        field, value = media[0]
        one = {**base, field: value}
        if text is not None:
            one["caption"] = text
        return [one]
    result = []
    for index, (field, value) in enumerate(media):
        part = {**base, field: value, "media_group_id": body["mid"]}
        if index == 0 and text is not None:
            part["caption"] = text
        result.append(part)
    return result


def update_key(raw: dict[str, Any]) -> int:
    """A positive 63-bit number naming one MAX update, the same on every delivery of it.

    MAX updates carry no update_id. A new message is its ``mid``, a press its ``callback_id``; the
    rest (``bot_started``, edits, …) are their type, time, person and chat — what a redelivery of the
    same event repeats and a new event does not."""
    kind = str(raw.get("update_type"))
    callback = raw.get("callback") if isinstance(raw.get("callback"), dict) else {}
    message = raw.get("message") if isinstance(raw.get("message"), dict) else {}
    body = message.get("body") if isinstance(message.get("body"), dict) else {}
    if kind == "message_callback" and callback.get("callback_id"):
        name = f"callback:{callback['callback_id']}"
    elif kind == "message_created" and body.get("mid"):
        name = f"mid:{body['mid']}"
    else:
        user = raw.get("user") if isinstance(raw.get("user"), dict) else {}
        name = f"{raw.get('timestamp')}:{user.get('user_id')}:{raw.get('chat_id')}:{body.get('mid')}"
    digest = hashlib.blake2b(f"{kind}|{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


async def update_dicts(raw: dict[str, Any], refs: Refs, next_id: Callable[[], int]) -> list[dict[str, Any]]:
    """A MAX update as aiogram update dicts (none for what the bot does not handle)."""
    kind = raw.get("update_type")
    locale = raw.get("user_locale")
    if kind == "message_created":
        parts = await message_dicts(raw["message"], refs, locale=locale)
        sender = raw["message"].get("sender") or {}
        if sender.get("is_bot"):
            return []  # our own messages echoed back
        return [{"update_id": next_id(), "message": part} for part in parts]
    if kind == "message_callback":
        callback = raw["callback"]
        query: dict[str, Any] = {
            "id": str(callback["callback_id"]),
            "from": user_dict(callback["user"], locale),
            "chat_instance": "max",
            "data": callback.get("payload"),
        }
        if raw.get("message"):
            query["message"] = (await message_dicts(raw["message"], refs, user=callback["user"]))[0]
        return [{"update_id": next_id(), "callback_query": query}]
    if kind == "bot_started":
        user = raw["user"]
        payload = raw.get("payload")
        message = {
            "message_id": 0,
            "date": int(raw.get("timestamp") or 0) // 1000,
            "chat": {
                "id": max_address(int(user["user_id"])),
                "type": "private",
                "first_name": user.get("first_name") or user.get("name") or "",
                "last_name": user.get("last_name") or None,
                "username": user.get("username") or None,
            },
            "from": user_dict(user, locale),
            "text": f"/start {payload}" if payload else "/start",
        }
        return [{"update_id": next_id(), "message": message}]
    if kind == "bot_stopped":
        log.info("MAX user %s stopped the bot", (raw.get("user") or {}).get("user_id"))
        return []
    log.debug("MAX update %s ignored", kind)
    return []


async def translate_update(
    raw: dict[str, Any], refs: Refs, next_id: Callable[[], int], bot: Bot | None = None
) -> list[Update]:
    """A MAX update as aiogram Updates (bound to ``bot`` when given)."""
    context = {"bot": bot} if bot is not None else None
    return [Update.model_validate(data, context=context) for data in await update_dicts(raw, refs, next_id)]
