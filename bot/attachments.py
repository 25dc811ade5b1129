"""A photo or document a person sent, as the conversations keep it in their FSM data, and its bytes
from Telegram (shared by the features that take files: appeals, organisations' reports)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Message


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
