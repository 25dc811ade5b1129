"""The report conversation: text, photos (single or albums) and scans, a preview, then «Send».

Every file is stored in the draft as soon as it arrives (:mod:`services.assignments.reports`), so a
refused file, /cancel or a restart loses nothing; pressing «📎 Report» again continues the draft.

Albums arrive as separate updates sharing a ``media_group_id``, handled one at a time (per-chat
event isolation). Each file is stored at once; the acknowledgement waits until the album has been
quiet for :data:`ALBUM_QUIET` seconds and then counts the whole album in one message.
"""

from __future__ import annotations

import logging
from functools import partial
from io import BytesIO
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.albums import Album, Albums
from bot.texts import domain_error_text, quote
from handlers.assignments.callbacks import AssignmentCallback, ReportCallback
from handlers.assignments.cards import card, drop_buttons, edit_by_id, refuse, report_preview, show_in_place
from handlers.assignments.common import NOT_STAFF, card_message_id
from handlers.assignments.states import ReportForm
from models import AssignmentReport, User
from porucheno.settings import Settings
from services.assignments import commands, reports
from services.errors import DomainError
from services.files import MAX_FILE_BYTES
from services.notify import NoticeContext

log = logging.getLogger(__name__)

def _too_big() -> str:
    return _(
        "This file is larger than {mb} MB: Telegram does not let bots download bigger files. "
        "Please send a smaller file or a compressed scan."
    ).format(mb=MAX_FILE_BYTES // (1024 * 1024))


def _kept() -> str:
    return _("Everything you sent before is kept in the draft.")


async def _preview(
    session: AsyncSession, assignment_id: int, report_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    a = await commands.load(session, assignment_id)
    draft = await session.get(AssignmentReport, report_id)
    assert draft is not None
    return report_preview(a, draft, await reports.report_files(session, report_id))


async def _send_preview(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    data: dict[str, Any],
    head: str | None = None,
) -> None:
    """A new preview at the bottom of the chat; the previous one loses its buttons."""
    text, markup = await _preview(session, data["aid"], data["report"])
    if head:
        text = f"{head}\n\n{text}"
    sent = await bot.send_message(chat_id, text, reply_markup=markup)
    await drop_buttons(bot, chat_id, data.get("preview"))
    await state.update_data(preview=sent.message_id)


# -- the conversation ---------------------------------------------------------------------------------


async def _enter(
    session: AsyncSession, user: User, state: FSMContext, assignment_id: int, card_id: int | None
) -> tuple[AssignmentReport, bool]:
    """Open (or continue) the draft and wait for its parts. Returns the draft and whether it has any."""
    draft = await reports.open_draft(session, user, assignment_id)
    data = await state.get_data() if await state.get_state() == ReportForm.collecting else {}
    await state.set_state(ReportForm.collecting)
    await state.set_data(
        {
            "aid": assignment_id,
            "report": draft.id,
            "card": card_id or data.get("card"),
            "preview": data.get("preview"),
        }
    )
    started = bool(draft.text) or bool(await reports.report_files(session, draft.id))
    return draft, started


async def start_report(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
) -> None:
    if user is None:
        await refuse(query, NOT_STAFF)
        return
    try:
        _draft, started = await _enter(session, user, state, callback_data.id, card_message_id(query))
    except DomainError as exc:
        await refuse(query, exc)
        return
    await query.answer()
    data = await state.get_data()
    if started:
        head = _("You have an unfinished report on this assignment; let us continue it.")
        await _send_preview(bot, query.from_user.id, state, session, data, head)
        return
    a = await commands.load(session, callback_data.id)
    await bot.send_message(
        query.from_user.id,
        _(
            "Report on assignment №{id} «{title}».\n\n"
            "Describe in a message what has been done, and send photos and scans: single photos, "
            "albums, PDF or office documents up to {mb} MB each. Then press «📤 Send».\n\n"
            "To stop for now, send /cancel: the draft will be kept."
        ).format(id=a.id, title=quote(a.title), mb=MAX_FILE_BYTES // (1024 * 1024)),
    )


async def got_text(
    message: Message, bot: Bot, state: FSMContext, session: AsyncSession, user: User | None
) -> None:
    data = await state.get_data()
    if user is None:
        await state.clear()
        return
    try:
        await reports.set_text(session, user, data["report"], message.text or "")
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await _send_preview(bot, message.chat.id, state, session, data, _("The text is saved."))


def _attachment(message: Message) -> tuple[str, str, int | None, str | None]:
    """file_id, file_unique_id, the size Telegram reports, the original name (photos have none)."""
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return photo.file_id, photo.file_unique_id, photo.file_size, None
    document = message.document
    assert document is not None  # guaranteed by the filter
    return document.file_id, document.file_unique_id, document.file_size, document.file_name


async def _store(
    message: Message, bot: Bot, session: AsyncSession, user: User, settings: Settings, report_id: int
) -> str | None:
    """Download and keep one file; the refusal text when it cannot be kept."""
    file_id, unique_id, size, name = _attachment(message)
    # Bots may not download more than 20 MB: say so before trying.
    if size is not None and size > MAX_FILE_BYTES:
        return _too_big()
    try:
        remote = await bot.get_file(file_id)
        if remote.file_path is None:
            return _too_big()
        buffer = BytesIO()
        await bot.download_file(remote.file_path, destination=buffer)
    except TelegramBadRequest as exc:
        if "too big" in exc.message:
            return _too_big()
        raise
    try:
        await reports.add_file(
            session,
            user,
            report_id,
            settings.files_dir,
            buffer.getvalue(),
            filename=name,
            telegram_file_id=file_id,
            telegram_file_unique_id=unique_id,
        )
    except DomainError as exc:
        return domain_error_text(exc)
    return None


async def got_file(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    albums: Albums,
) -> None:
    data = await state.get_data()
    if user is None:
        await state.clear()
        return
    refused = await _store(message, bot, session, user, settings, data["report"])
    if message.media_group_id is None:
        if refused is not None:
            await message.answer(f"{refused}\n\n{_kept()}")
            return
        await _send_preview(bot, message.chat.id, state, session, data, _("The file is added to the report."))
        return
    chat_id = message.chat.id

    async def acknowledge(album: Album) -> None:
        lines = []
        if album.stored:
            lines.append(_("Album received, files added to the report: {n}.").format(n=album.stored))
        lines += album.refused
        if album.refused:
            lines.append(_kept())
        head = "\n\n".join(lines)
        current = await state.get_data()
        if await state.get_state() != ReportForm.collecting or current.get("report") != data["report"]:
            await bot.send_message(chat_id, head)  # the conversation moved on meanwhile
            return
        async with session_factory() as fresh:
            await _send_preview(bot, chat_id, state, fresh, current, head)

    albums.add((chat_id, message.media_group_id), refused=refused, on_quiet=acknowledge)


async def other_content(message: Message) -> None:
    await message.answer(
        _(
            "A report takes text, photos and documents (PDF, Word, Excel). "
            "Press «📤 Send» when it is ready, or send /cancel to stop for now."
        )
    )


async def report_button(
    query: CallbackQuery,
    callback_data: ReportCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    if user is None:
        await refuse(query, NOT_STAFF)
        return
    data = await state.get_data()
    same = await state.get_state() == ReportForm.collecting and data.get("aid") == callback_data.id
    card_id = data.get("card") if same else None
    if callback_data.action == "more":
        try:
            await _enter(session, user, state, callback_data.id, card_id)
        except DomainError as exc:
            await refuse(query, exc)
            return
        await query.answer(_("Send more photos or documents, I am listening."))
        return
    if callback_data.action == "cancel":
        if same:
            await state.clear()
        await query.answer()
        await show_in_place(
            query,
            bot,
            _(
                "The report is put aside. Everything you sent is kept in the draft: "
                "press «📎 Report» on the assignment card to continue."
            ),
            None,
        )
        return
    if callback_data.action != "send":
        await refuse(query, _("This button is outdated. Please use the current menu."))
        return
    # Reload the draft through the service: it re-checks the rights and the assignment's state, so a
    # second press (already on review) is refused.
    try:
        draft = await reports.open_draft(session, user, callback_data.id)
        await reports.submit(session, user, draft.id, notify=notice_ctx)
    except DomainError as exc:
        await refuse(query, exc)
        return
    if same:
        await state.clear()
    a = await commands.load(session, callback_data.id)
    await query.answer(_("The report is sent."))
    await show_in_place(
        query,
        bot,
        _(
            "✅ The report on assignment №{id} is sent for review. I will tell you the controller's decision."
        ).format(id=a.id),
        None,
    )
    text, markup = await card(session, a, user, notice_ctx, _("The report is sent for review"))
    await edit_by_id(bot, query.from_user.id, card_id, text, markup)


def create_router() -> Router:
    router = Router(name="assignments_report")
    albums = Albums()
    router.callback_query.register(start_report, AssignmentCallback.filter(F.action == "report"))
    router.callback_query.register(report_button, ReportCallback.filter())
    router.message.register(got_text, ReportForm.collecting, F.text)
    router.message.register(partial(got_file, albums=albums), ReportForm.collecting, F.photo | F.document)
    router.message.register(other_content, ReportForm.collecting)
    return router
