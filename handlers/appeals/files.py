"""Step 4: photos (single or albums) and documents. Each file is downloaded and checked at once —
type from the bytes, size within Telegram's 20 MB — so a refusal is told right away; the draft keeps
only Telegram's file ids, and «Send» downloads the accepted files again for the registration.

Files sent while the text is being written are welcome too: they join the same list. A caption
is part of what the resident wrote: it joins the appeal's text (even when its file is refused), and
the acknowledgement says so.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.albums import Albums
from bot.attachments import accept
from bot.messages import drop_buttons
from bot.turn import Turn
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.render import draft_text
from handlers.appeals.states import AppealForm
from handlers.appeals.steps import (
    MAX_FILES,
    after,
    files_markup,
    files_prompt,
    send_progress,
    text_markup,
    text_progress,
)
from services.appeals.intake import MAX_TEXT_CHARS


async def _take(message: Message, bot: Bot, state: FSMContext) -> str | None:
    """Check one file and add it to the draft; the refusal text when it is not added.

    The caption is kept whether or not the file is: it is part of what the resident wrote."""
    item, refusal = await accept(
        bot, message, list((await state.get_data()).get("files") or []), limit=MAX_FILES
    )
    await _keep_caption(message, state)
    if item is None:
        return refusal
    await state.update_data(files=[*((await state.get_data()).get("files") or []), item])
    return None


async def _keep_caption(message: Message, state: FSMContext) -> None:
    """A caption joins the appeal's text as one more part (a caption already there is not added
    twice: a file sent again with it). When the text would grow past its limit, the caption is not
    lost silently: the note says so, and the resident can send it as a message later."""
    caption = (message.caption or "").strip()
    if not caption:
        return
    data = await state.get_data()
    parts = [str(p) for p in data.get("text_parts") or []]
    if caption in parts:
        return
    current = draft_text(data)
    total = len(current) + (2 if current else 0) + len(caption)
    if total > MAX_TEXT_CHARS:
        note = _(
            "The caption is not added to the text: the text of an appeal may be at most %(limit)d "
            "characters, and with it there would be %(n)d."
        ) % {"limit": MAX_TEXT_CHARS, "n": total}
    else:
        await state.update_data(text_parts=[*parts, caption])
        note = _("The caption is added to the text of the appeal.")
    await state.update_data(caption_notes=[*(data.get("caption_notes") or []), note])


async def _caption_notes(state: FSMContext) -> list[str]:
    """The notes about captions since the last acknowledgement, taken once."""
    notes = [str(n) for n in (await state.get_data()).get("caption_notes") or []]
    if notes:
        await state.update_data(caption_notes=[])
    return notes


async def _progress(bot: Bot, chat_id: int, state: FSMContext, head: str) -> None:
    data = await state.get_data()
    count = len(data.get("files") or [])
    if await state.get_state() == AppealForm.text:
        text = head + "\n\n" + text_progress(data)
        markup = text_markup()
    else:
        text = (
            head
            + "\n\n"
            + _("Files attached: %(n)d of %(limit)d. Send more or tap «Done».")
            % {
                "n": count,
                "limit": MAX_FILES,
            }
        )
        markup = files_markup(count)
    await send_progress(bot, chat_id, state, text, markup)


async def got_file(message: Message, bot: Bot, state: FSMContext, albums: Albums) -> None:
    refused = await _take(message, bot, state)
    chat_id = message.chat.id
    if message.media_group_id is None:
        head = refused if refused is not None else _("The file is attached.")
        await _progress(bot, chat_id, state, "\n\n".join([head, *await _caption_notes(state)]))
        return

    async def acknowledge(album: Any) -> None:
        lines = []
        if album.stored:
            lines.append(_("Album received, files attached: %(n)d.") % {"n": album.stored})
        lines += album.refused
        lines += await _caption_notes(state)
        if await state.get_state() not in (AppealForm.text, AppealForm.files):
            await bot.send_message(chat_id, "\n\n".join(lines))  # the conversation moved on meanwhile
            return
        await _progress(bot, chat_id, state, "\n\n".join(lines))

    await albums.add((chat_id, message.media_group_id), refused=refused, on_quiet=acknowledge)


async def files_done(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await after(turn, AppealForm.files)


async def files_clear(query: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await state.update_data(files=[])
    await query.answer(_("The attached files are removed."))
    await send_progress(
        bot, query.from_user.id, state, _("The files are removed.") + "\n\n" + files_prompt(), files_markup(0)
    )


async def hint(message: Message, bot: Bot, state: FSMContext) -> None:
    count = len((await state.get_data()).get("files") or [])
    text = _("I am waiting for photos or documents.") + "\n\n" + files_prompt()
    await send_progress(bot, message.chat.id, state, text, files_markup(count))


def create_router() -> Router:
    router = Router(name="appeals.files")
    # ``albums`` comes from the dispatcher (bot/factory.py).
    router.message.register(got_file, AppealForm.text, F.photo | F.document)
    router.message.register(got_file, AppealForm.files, F.photo | F.document)
    router.callback_query.register(
        files_done, AppealForm.files, AppealFormCallback.filter(F.act == FormAct.FILES_DONE)
    )
    router.callback_query.register(
        files_clear, AppealForm.files, AppealFormCallback.filter(F.act == FormAct.FILES_CLEAR)
    )
    router.message.register(hint, AppealForm.files)
    return router
