"""What simulated users do: send messages of every kind and press buttons."""

from __future__ import annotations

import mimetypes
from typing import Any

from .keyboards import inline_buttons, reply_buttons
from .params import Params, UploadedFile
from .records import ChatRecord, MessageRecord, UserAccount
from .state import SandboxState
from .text_format import command_entities

DEMO_LOCATION = {"latitude": 55.751244, "longitude": 37.618423}
# Tiny stand-ins so that stickers and voice notes are real downloadable files.
FAKE_STICKER = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x000\x01\x00\x9d\x01*\x01\x00\x01\x00\x02\x004"
FAKE_VOICE = b"OggS\x00\x02" + bytes(58)


class ActionError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def _user_for(state: SandboxState, chat: ChatRecord, from_id: int | None) -> UserAccount:
    if chat.user is not None and from_id in (None, chat.user.id):
        return chat.user
    user = state.users.get(from_id or 0)
    if user is None:
        raise ActionError(400, "from_id must name a registered user for group chats")
    return user


def send_from_params(state: SandboxState, chat: ChatRecord, params: Params) -> MessageRecord:
    """Build a user message from control-API parameters (JSON or multipart with a ``file`` part)."""
    user = _user_for(state, chat, params.integer("from_id"))
    kind = params.string("type") or ("text" if params.has("text") else "")
    upload = params.files.get("file")
    if upload is not None and kind not in ("photo", "document", "voice", "video", "audio"):
        mime = upload.content_type or mimetypes.guess_type(upload.filename)[0] or ""
        kind = "photo" if mime.startswith("image/") and not mime.endswith(("svg+xml", "gif")) else "document"
    content, files = _content(state, kind, params, upload, user)
    reply_to = chat.messages.get(params.integer("reply_to_message_id") or 0)
    if chat.user is not None and chat.user.blocked:
        state.set_blocked(chat.user, False)  # writing to a blocked bot means restarting it
    return state.user_message(
        chat,
        user,
        content,
        files=files,
        reply_to=reply_to,
        media_group_id=params.string("media_group_id") or None,
        bot_id=params.integer("bot_id"),
    )


def _content(
    state: SandboxState, kind: str, params: Params, upload: UploadedFile | None, user: UserAccount
) -> tuple[dict[str, Any], list[Any]]:
    if kind == "text":
        text = params.string("text") or ""
        if not text.strip():
            raise ActionError(400, "text is empty")
        return {"text": text, "entities": command_entities(text)}, []
    if kind == "location":
        location = params.obj("location") or {}
        lat = params.number("latitude", location.get("latitude", DEMO_LOCATION["latitude"]))
        lon = params.number("longitude", location.get("longitude", DEMO_LOCATION["longitude"]))
        return {"location": {"latitude": lat, "longitude": lon}}, []
    if kind == "contact":
        contact = {
            "phone_number": params.string("phone_number") or user.phone,
            "first_name": params.string("first_name") or user.first_name,
            "user_id": user.id,
        }
        return {"contact": contact}, []
    if kind in ("sticker", "voice") and upload is None:
        data, mime = (FAKE_STICKER, "image/webp") if kind == "sticker" else (FAKE_VOICE, "audio/ogg")
        stored = state.store_file(data, kind, None, mime)
        return {kind: stored.to_media()}, [stored]
    if kind in ("photo", "document", "voice", "video", "audio"):
        if upload is None or not upload.data:
            raise ActionError(400, f"a non-empty 'file' part is required for {kind}")
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename)[0] or mime
        stored = state.store_file(upload.data, kind, upload.filename, mime)
        return {kind: stored.to_media(), "caption": params.string("caption") or None}, [stored]
    raise ActionError(400, f"unknown message type {kind!r}")


def press_button(state: SandboxState, chat: ChatRecord, params: Params) -> dict[str, Any]:
    """Tap an inline button (→ callback_query) or a reply-keyboard button (→ a user message)."""
    message = chat.messages.get(params.integer("message_id") or 0)
    if message is None or message.deleted or message.bot is None:
        raise ActionError(404, "bot message not found")
    user = _user_for(state, chat, params.integer("from_id"))
    text, data = params.string("text"), params.string("data")
    if text is None and data is None:
        raise ActionError(400, "give the button's text or data")
    for button in inline_buttons(message.reply_markup):
        if (data is not None and button.get("callback_data") == data) or (
            text is not None and button["text"] == text
        ):
            if "callback_data" in button:
                query = state.press_callback(message, user, button["callback_data"])
                return {"callback_query_id": query.id}
            if "url" in button:
                return {"url": button["url"]}
            raise ActionError(400, "this inline button kind is not supported by the sandbox")
    keyboard = (
        message.reply_markup
        if message.reply_markup and "keyboard" in message.reply_markup
        else chat.reply_keyboard
    )
    for button in reply_buttons(keyboard) if text is not None else []:
        if button["text"] == text:
            values: dict[str, Any] = {"type": "text", "text": text}
            if button.get("request_contact"):
                values = {"type": "contact"}
            elif button.get("request_location"):
                values = {"type": "location"}
            if keyboard and keyboard.get("one_time_keyboard"):
                chat.reply_keyboard = None
            sent = send_from_params(state, chat, Params({**values, "from_id": user.id}))
            return {"message": sent.to_transcript()}
    available = [b["text"] for b in inline_buttons(message.reply_markup) + reply_buttons(keyboard)]
    raise ActionError(404, "button not found", available=available)
