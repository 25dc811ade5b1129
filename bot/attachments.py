"""A photo or document a person sent, as the conversations keep it in their FSM data, and its bytes
from Telegram, and its check on arrival (shared by the features that take files: appeals,
organisations' reports, service requests)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from services.errors import InvalidInput
from services.files import MAX_FILE_BYTES, check_file


def attachment(message: Message) -> dict[str, Any]:
    """``id``, ``uid``, ``size`` and ``name`` of the message's photo (its largest size) or document."""
    if message.photo:
        photo = message.photo[-1]
        return {"id": photo.file_id, "uid": photo.file_unique_id, "size": photo.file_size, "name": None}
    document = message.document
    assert document is not None  # the handlers' filters let only photos and documents through
    return {
        "id": document.file_id,
        "uid": document.file_unique_id,
        "size": document.file_size,
        "name": document.file_name,
    }


async def download(bot: Bot, file_id: str) -> bytes | None:
    """The file's bytes; None when Telegram will not give them (over its 20 MB limit for bots)."""
    try:
        remote = await bot.get_file(file_id)
        if remote.file_path is None:
            return None
        buffer = BytesIO()
        await bot.download_file(remote.file_path, destination=buffer)
    except TelegramBadRequest as exc:
        if "too big" in exc.message:
            return None
        raise
    return buffer.getvalue()


def too_big_text() -> str:
    return _(
        "This file is larger than %(mb)d MB: Telegram does not let bots receive bigger files. "
        "Please send a smaller file or a compressed photo."
    ) % {"mb": MAX_FILE_BYTES // (1024 * 1024)}


async def accept(
    bot: Bot, message: Message, files: list[dict[str, Any]], *, limit: int
) -> tuple[dict[str, Any] | None, str | None]:
    """One photo or document a person sent into a conversation's list of ``files``: downloaded and
    checked at once (type from the bytes, Telegram's 20 MB for bots), so a refusal is told at once.

    Returns (the item with its real ``size`` and ``mime``, None) to add it, (None, the refusal in the
    person's language), or (None, None) for a file already in the list (a forwarded copy)."""
    item = attachment(message)
    if any(f["uid"] == item["uid"] for f in files):
        return None, None
    if len(files) >= limit:
        return None, _("At most %(n)d files can be attached; this one is not added.") % {"n": limit}
    # Bots may not download more than 20 MB: say so before trying.
    if item["size"] is not None and item["size"] > MAX_FILE_BYTES:
        return None, too_big_text()
    data = await download(bot, item["id"])
    if data is None:
        return None, too_big_text()
    try:
        checked = check_file(data, item["name"])
    except InvalidInput as exc:  # a refusal of the services, translated as ``bot.texts`` does
        text = _(exc.message)
        return None, text % exc.params if exc.params else text
    item.update(size=len(data), mime=checked.mime)
    return item, None
