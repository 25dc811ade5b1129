"""Media sends (single and albums) and getFile."""

from __future__ import annotations

import mimetypes
import secrets
from typing import Any

import aiohttp

from ..errors import bad_request
from ..limits import MAX_BOT_DOWNLOAD_BYTES, MEDIA_GROUP_MAX, MEDIA_GROUP_MIN
from ..params import Params
from ..records import StoredFile
from .base import Handler, MethodCall

_URL_FETCH_TIMEOUT = aiohttp.ClientTimeout(total=10)
_ALBUM_KINDS = {"photo", "video", "document", "audio"}


async def resolve_file(call: MethodCall, value: Any, kind: str, field: str) -> StoredFile:
    """An input file is an upload (direct part or ``attach://``), a known file_id, or an HTTP URL."""
    params: Params = call.params
    upload = params.files.get(field) if value in (None, "") else None
    if isinstance(value, str) and value.startswith("attach://"):
        upload = params.files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f'can\'t find attached file "{value.removeprefix("attach://")}"')
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        content_type = upload.content_type
        if not content_type or content_type == "application/octet-stream":
            content_type = mimetypes.guess_type(upload.filename)[0] or content_type
        return call.state.store_file(upload.data, kind, upload.filename, content_type)
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith(("http://", "https://")):
        return call.state.store_file(await _fetch(value), kind, value.rsplit("/", 1)[-1] or None, None)
    stored = call.state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


async def _fetch(url: str) -> bytes:
    try:
        async with aiohttp.ClientSession(timeout=_URL_FETCH_TIMEOUT) as session, session.get(url) as resp:
            if resp.status != 200:
                raise bad_request("failed to get HTTP URL content")
            data = await resp.content.read(MAX_BOT_DOWNLOAD_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError):
        raise bad_request("failed to get HTTP URL content") from None
    if len(data) > MAX_BOT_DOWNLOAD_BYTES:
        raise bad_request("failed to get HTTP URL content")
    return data


def _media_sender(kind: str) -> Handler:
    async def send_media(call: MethodCall) -> dict[str, Any]:
        chat = call.chat()
        caption, entities = call.text(caption=True)
        markup, reply_to = call.reply_markup(), call.reply_to(chat)
        stored = await resolve_file(call, call.params.values.get(kind), kind, kind)
        call.charge(chat)
        content = {kind: stored.to_media(), "caption": caption, "caption_entities": entities}
        return call.send(chat, content, files=[stored], reply_markup=markup, reply_to=reply_to).to_telegram()

    return send_media


async def send_media_group(call: MethodCall) -> list[dict[str, Any]]:
    chat = call.chat()
    items = call.params.obj("media")
    if not isinstance(items, list) or not MEDIA_GROUP_MIN <= len(items) <= MEDIA_GROUP_MAX:
        raise bad_request("wrong number of media in the media group; must be 2-10")
    kinds = {item.get("type") for item in items if isinstance(item, dict)}
    if (len(kinds) != 1 and kinds & {"document", "audio"}) or not kinds <= _ALBUM_KINDS:
        raise bad_request("documents and audio can't be mixed with other media types in an album")
    reply_to = call.reply_to(chat)
    prepared = []
    for index, item in enumerate(items):
        kind = item["type"]
        stored = await resolve_file(call, item.get("media"), kind, f"media{index}")
        item_call = MethodCall(call.state, call.bot, call.method, Params(item, call.params.files))
        caption, entities = item_call.text(caption=True)
        prepared.append((kind, stored, caption, entities))
    call.charge(chat, len(prepared))
    group_id = str(secrets.randbits(60))
    return [
        call.send(
            chat,
            {kind: stored.to_media(), "caption": caption, "caption_entities": entities},
            files=[stored],
            reply_to=reply_to,
            media_group_id=group_id,
        ).to_telegram()
        for kind, stored, caption, entities in prepared
    ]


async def get_file(call: MethodCall) -> dict[str, Any]:
    stored = call.state.files.get(call.params.string("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_BOT_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.to_get_file()


METHODS: dict[str, Handler] = {
    "sendPhoto": _media_sender("photo"),
    "sendDocument": _media_sender("document"),
    "sendVideo": _media_sender("video"),
    "sendAudio": _media_sender("audio"),
    "sendVoice": _media_sender("voice"),
    "sendAnimation": _media_sender("animation"),
    "sendSticker": _media_sender("sticker"),
    "sendVideoNote": _media_sender("video_note"),
    "sendMediaGroup": send_media_group,
    "getFile": get_file,
}
