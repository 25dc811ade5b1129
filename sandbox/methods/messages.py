"""Text-like sends, copies, deletions and chat actions."""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..records import ChatRecord
from .base import Handler, MethodCall

CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


def _send(call: MethodCall, chat: ChatRecord, content: dict[str, Any]) -> dict[str, Any]:
    """A message without files: its markup and the message it replies to are checked before the chat
    is charged, so a refused call costs nothing."""
    markup, reply_to = call.reply_markup(), call.reply_to(chat)
    call.charge(chat)
    return call.send(chat, content, reply_markup=markup, reply_to=reply_to).to_telegram()


async def send_message(call: MethodCall) -> dict[str, Any]:
    chat = call.chat()
    text, entities = call.text()
    return _send(call, chat, {"text": text, "entities": entities})


async def send_location(call: MethodCall) -> dict[str, Any]:
    chat = call.chat()
    lat, lon = call.params.number("latitude"), call.params.number("longitude")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad_request("wrong latitude/longitude specified")
    return _send(call, chat, {"location": {"latitude": lat, "longitude": lon}})


async def send_contact(call: MethodCall) -> dict[str, Any]:
    chat = call.chat()
    phone, first_name = call.params.string("phone_number"), call.params.string("first_name")
    if not phone or not first_name:
        raise bad_request("phone number and first name must be non-empty")
    return _send(call, chat, {"contact": {"phone_number": phone, "first_name": first_name}})


async def copy_message(call: MethodCall) -> dict[str, Any]:
    chat = call.chat()
    source_chat = call.chat("from_chat_id", writable=False)
    source = call.message(source_chat, missing="message to copy not found")
    content = dict(source.content)
    if call.params.values.get("caption") is not None and source.files:
        caption, caption_entities = call.text(caption=True)
        content["caption"], content["caption_entities"] = caption, caption_entities
    markup, reply_to = call.reply_markup(), call.reply_to(chat)
    call.charge(chat)
    copied = call.send(chat, content, files=list(source.files), reply_markup=markup, reply_to=reply_to)
    return {"message_id": copied.message_id}


async def delete_message(call: MethodCall) -> bool:
    chat = call.chat(writable=False)
    message = call.message(chat, missing="message to delete not found")
    message.deleted = True
    call.state.bump(chat, message)
    return True


async def send_chat_action(call: MethodCall) -> bool:
    chat = call.chat()
    action = call.params.string("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong type of action specified")
    chat.last_action = action
    return True


METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendLocation": send_location,
    "sendContact": send_contact,
    "copyMessage": copy_message,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
}
