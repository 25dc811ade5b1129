"""Photos and scans of a report. Each file is downloaded and checked when it arrives (type from the
bytes, size within Telegram's 20 MB), so a refusal is told at once; the conversation keeps only
Telegram's file ids, and posting downloads the accepted files again to keep them with the report.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import Message

from bot.albums import Album, Albums
from bot.attachments import accept, download
from bot.turn import Turn
from handlers.partners.states import OrgReport
from services.incidents.updates import TEXT_LIMIT
from services.partners.work import MAX_REPORT_FILES, ReportFile


async def take(message: Message, turn: Turn) -> str | None:
    """Check one file and add it to the report; the refusal text when it is not added."""
    state = turn.fsm
    files = list((await state.get_data()).get("files") or [])
    item, refusal = await accept(turn.bot, message, files, limit=MAX_REPORT_FILES)
    if item is None:
        return refusal
    current = await state.get_data()
    update: dict[str, Any] = {"files": [*(current.get("files") or []), item]}
    caption = (message.caption or "").strip()
    text = str(current.get("text") or "")
    if caption and not text:
        update["caption"] = caption  # taken as the text if none is written
    elif caption and len(text) + len(caption) + 1 <= TEXT_LIMIT:
        update["text"] = f"{text}\n{caption}"  # a caption is part of what the person wrote
    await state.update_data(**update)
    return None


async def fetch_all(bot: Bot, items: list[dict[str, Any]]) -> tuple[list[ReportFile], int]:
    """The accepted files downloaded again for keeping, and how many Telegram no longer gives."""
    found, lost = [], 0
    for item in items:
        data = await download(bot, item["id"])
        if data is None:
            lost += 1
            continue
        found.append(ReportFile(data, item.get("name"), item["id"], item.get("uid")))
    return found, lost


async def got_file(message: Message, turn: Turn, albums: Albums, progress: Any) -> None:
    """``progress(turn, head)``: what the conversation says after a file (depends on the step)."""
    refused = await take(message, turn)
    t, state = turn.t, turn.fsm
    if message.media_group_id is None:
        await progress(turn, refused if refused is not None else t("The file is attached."))
        return

    async def acknowledge(album: Album) -> None:
        lines = []
        if album.stored:
            lines.append(t("Album received, files attached: %(n)s.", n=album.stored))
        lines += album.refused
        if await state.get_state() not in (OrgReport.text, OrgReport.files):
            await turn.bot.send_message(turn.chat_id, "\n\n".join(lines))  # the conversation moved on
            return
        await progress(turn, "\n\n".join(lines))

    await albums.add((turn.chat_id, message.media_group_id), refused=refused, on_quiet=acknowledge)
