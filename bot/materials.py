"""Sending stored files back into a chat: photos as albums, the rest as documents.

Files go by Telegram's file id when it is known, else they are uploaded from storage once and the id
Telegram gives them is remembered, so the next sending needs no upload. Used by the assignment's
field card and the service desk's request card.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import FSInputFile, InputMediaPhoto, Message
from sqlalchemy.ext.asyncio import AsyncSession

from models import StoredFile
from services.assignments.field import albums, is_photo, remember_file_id
from services.files import file_path, reusable_file_id

log = logging.getLogger(__name__)


def media(f: StoredFile, files_dir: Path, chat_id: int) -> str | FSInputFile:
    """By the messenger's file id when it was issued by ``chat_id``'s messenger, else from disk."""
    file_id = reusable_file_id(f, chat_id)
    if file_id:
        return file_id
    return FSInputFile(file_path(files_dir, f), filename=f.original_name or None)


async def _learn_ids(session: AsyncSession, files: list[StoredFile], sent: list[Message]) -> None:
    for f, message in zip(files, sent, strict=False):
        if f.telegram_file_id:
            continue
        if message.photo:
            await remember_file_id(session, f.id, message.photo[-1].file_id)
        elif message.document:
            await remember_file_id(session, f.id, message.document.file_id)


async def send_files(
    bot: Bot, session: AsyncSession, chat_id: int, files: list[StoredFile], files_dir: Path, *, unnamed: str
) -> list[str]:
    """Send ``files``; returns the names of those that could not be sent (``unnamed`` for a file
    without a name), so the caller can say so instead of failing silently."""
    failed: list[str] = []
    photos = [f for f in files if is_photo(f)]
    documents = [f for f in files if not is_photo(f)]
    for chunk in albums(photos):
        try:
            if len(chunk) == 1:
                sent = [await bot.send_photo(chat_id, media(chunk[0], files_dir, chat_id))]
            else:
                group = [InputMediaPhoto(media=media(f, files_dir, chat_id)) for f in chunk]
                sent = await bot.send_media_group(chat_id, media=group)
        except (TelegramAPIError, OSError) as exc:
            log.warning("photos %s not sent: %s", [f.id for f in chunk], exc)
            failed += [f.original_name or unnamed for f in chunk]
            continue
        await _learn_ids(session, chunk, sent)
    for f in documents:
        try:
            sent_doc = await bot.send_document(chat_id, media(f, files_dir, chat_id))
        except (TelegramAPIError, OSError) as exc:
            log.warning("file %s not sent: %s", f.id, exc)
            failed.append(f.original_name or unnamed)
            continue
        await _learn_ids(session, [f], [sent_doc])
    return failed
