"""Step 4: optional photos and documents, checked and stored at once, linked when the assignment exists.

A file's caption joins the assignment's text (:func:`services.captions.with_caption`)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.messages import settle
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.assignment_create.callbacks import NewAct, NewCallback
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import MAX_FILES, ask_priority, files_done_markup, files_prompt
from models import User
from porucheno.settings import Settings
from services.assignments.commands import TEXT_LIMIT
from services.captions import with_caption
from services.errors import InvalidInput
from services.files import MAX_FILE_BYTES, FileOrigin, store_file


async def _keep_caption(message: Message, state: FSMContext) -> str | None:
    """The file's caption joins the assignment's text (the lines after the title), so the executor
    reads it; kept even when the file is refused. A note for the reply, or None without a caption."""
    if not (message.caption or "").strip():
        return None
    data = await state.get_data()
    key = "pt_body" if data.get("adding_point") else "body"
    before = str(data.get(key) or "").strip()
    body = with_caption(before, message.caption)
    if body == before:
        return None
    if len(body) > TEXT_LIMIT:
        return _("The caption does not fit into the text of the assignment (at most %(n)s characters).") % {
            "n": TEXT_LIMIT
        }
    await state.update_data({key: body})
    return _("The caption is added to the text of the assignment.")


async def got_file(message: Message, state: FSMContext, turn: Turn, settings: Settings, user: User) -> None:
    note = await _keep_caption(message, state)
    files: list[int] = list((await state.get_data()).get("files") or [])
    if len(files) >= MAX_FILES:
        await message.answer(
            _("That makes %(n)s files already, the most for one assignment. Tap «Done».") % {"n": MAX_FILES}
            + (f"\n\n{note}" if note else ""),
            reply_markup=files_done_markup(),
        )
        return
    if message.photo:
        media, filename = message.photo[-1], None  # the largest size
    else:
        assert message.document is not None  # guaranteed by the filter
        media, filename = message.document, message.document.file_name
    try:
        # Telegram lets bots download at most 20 MB: refuse bigger files before trying.
        if media.file_size and media.file_size > MAX_FILE_BYTES:
            raise InvalidInput("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // (1024 * 1024))
        tg_file = await turn.bot.get_file(media.file_id)
        buffer = await turn.bot.download_file(tg_file.file_path or "")
        data = buffer.read() if buffer is not None else b""
        stored = await store_file(
            turn.session,
            settings.files_dir,
            data,
            filename=filename,
            origin=FileOrigin(
                telegram_file_id=media.file_id,
                telegram_file_unique_id=media.file_unique_id,
                uploaded_by_user_id=user.id,
                uploaded_by_telegram_id=message.from_user.id if message.from_user else None,
            ),
        )
    except InvalidInput as exc:
        refusal = domain_error_text(exc) + (f"\n\n{note}" if note else "")
        await message.answer(refusal + "\n\n" + files_prompt(), reply_markup=_markup(files))
        return
    files.append(stored.id)
    await state.update_data(files=files)
    added = _("File added (%(n)s of %(limit)s). Send more or tap «Done».") % {
        "n": len(files),
        "limit": MAX_FILES,
    }
    await message.answer(added + (f"\n{note}" if note else ""), reply_markup=files_done_markup())


def _markup(files: list[int]) -> InlineKeyboardMarkup:
    return files_done_markup() if files else files_done_markup(skip=True)


async def done(query: CallbackQuery, state: FSMContext, turn: Turn) -> None:
    files = (await state.get_data()).get("files") or []
    await query.answer()
    await settle(query, _("Files: %(n)s") % {"n": len(files)})
    await ask_priority(turn)


async def hint(message: Message, state: FSMContext) -> None:
    files = list((await state.get_data()).get("files") or [])
    await message.answer(
        _("I am waiting for photos or documents.") + "\n\n" + files_prompt(), reply_markup=_markup(files)
    )


def create_router() -> Router:
    router = Router(name="assignment_create.files")
    router.message.register(got_file, CreateAssignment.files, F.photo | F.document)
    router.message.register(hint, CreateAssignment.files)
    router.callback_query.register(
        done, CreateAssignment.files, NewCallback.filter(F.act == NewAct.FILES_DONE)
    )
    return router
