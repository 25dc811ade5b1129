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
from bot.attachments import accept, download
from bot.turn import Turn
from models import StoredFile
from services.files import FileOrigin, store_file

MAX_FILES = 10


async def take(message: Message, turn: Turn) -> str | None:
    """Check one file and add it to the conversation's list; the refusal text when it is not added."""
    files = list((await turn.fsm.get_data()).get("files") or [])
    item, refusal = await accept(turn.bot, message, files, limit=MAX_FILES)
    if item is None:
        return refusal
    await turn.fsm.update_data(files=[*files, item])
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
