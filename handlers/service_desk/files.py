"""Photos and documents sent with a request or a message on it. Each is downloaded and checked when it
arrives (type from the bytes, Telegram's 20 MB limit for bots), so a refusal is told at once; the
conversation keeps only Telegram's file ids, and the accepted files are stored when the request or
message is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import Message

from bot.albums import Album
from bot.attachments import attachment, download
from bot.texts import domain_error_text
from bot.turn import Turn
from models import StoredFile
from services.errors import InvalidInput
from services.files import MAX_FILE_BYTES, FileOrigin, check_file, store_file
from services.notify import Translator

MAX_FILES = 10


def too_big_text(t: Translator) -> str:
    return t(
        "This file is larger than %(mb)s MB: Telegram does not let bots receive bigger files. "
        "Please send a smaller file or a compressed photo.",
        mb=MAX_FILE_BYTES // (1024 * 1024),
    )


async def take(message: Message, turn: Turn) -> str | None:
    """Check one file and add it to the conversation's list; the refusal text when it is not added."""
    t, state = turn.t, turn.fsm
    item = attachment(message)
    files = list((await state.get_data()).get("files") or [])
    if any(f["uid"] == item["uid"] for f in files):
        return None  # the same file again: it is in the list already
    if len(files) >= MAX_FILES:
        return t("At most %(n)s files can be attached; this one is not added.", n=MAX_FILES)
    # Bots may not download more than 20 MB: say so before trying.
    if item["size"] is not None and item["size"] > MAX_FILE_BYTES:
        return too_big_text(t)
    data = await download(turn.bot, item["id"])
    if data is None:
        return too_big_text(t)
    try:
        check_file(data, item["name"])
    except InvalidInput as exc:
        return domain_error_text(exc)
    await state.update_data(files=[*files, item])
    return None


def album_text(turn: Turn, album: Album) -> str:
    lines = [turn.t("Album received, files attached: %(n)s.", n=album.stored)] if album.stored else []
    return "\n\n".join([*lines, *album.refused])


async def store_all(turn: Turn, files_dir: Path, items: list[dict[str, Any]]) -> tuple[list[int], int]:
    """The accepted files stored (ids), and how many Telegram no longer gives."""
    assert turn.user is not None
    stored: list[int] = []
    lost = 0
    for item in items:
        data = await download(turn.bot, str(item.get("id")))
        if data is None:
            lost += 1
            continue
        origin = FileOrigin(
            telegram_file_id=item.get("id"),
            telegram_file_unique_id=item.get("uid"),
            uploaded_by_user_id=turn.user.id,
            uploaded_by_telegram_id=turn.chat_id,
        )
        row: StoredFile = await store_file(
            turn.session, files_dir, data, filename=item.get("name"), origin=origin
        )
        stored.append(row.id)
    return stored, lost
