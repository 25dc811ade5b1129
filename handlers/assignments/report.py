"""The report conversation: text, photos (single or albums) and scans, a preview, then «Send».

A caption sent with a photo or a scan (each part of an album may have one) joins the report's text,
so the controller reads it with the report.

Every file is stored in the draft as soon as it arrives (:mod:`services.assignments.reports`), so a
refused file, /cancel or a restart loses nothing; pressing «📎 Report» again continues the draft.

Albums arrive as separate updates sharing a ``media_group_id``, handled one at a time (per-chat
event isolation). Each file is stored at once; :class:`bot.albums.Albums` acknowledges the whole
album in one message once it has been quiet.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import messages
from bot.albums import Album, Albums
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback, ReportCallback
from handlers.assignments.cards import redraw_card, report_preview
from handlers.assignments.common import NOT_STAFF, card_message_id, refuse, refuse_and_refresh
from handlers.assignments.states import ReportForm
from models import AssignmentReport, User
from porucheno.settings import Settings
from services.assignments import commands, reports
from services.errors import DomainError
from services.files import MAX_FILE_BYTES


def _too_big() -> str:
    return _(
        "This file is larger than %(mb)s MB: Telegram does not let bots download bigger files. "
        "Please send a smaller file or a compressed scan."
    ) % {"mb": MAX_FILE_BYTES // (1024 * 1024)}


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
    turn: Turn, data: dict[str, Any], head: str | None = None, *, session: AsyncSession | None = None
) -> None:
    """A new preview at the bottom of the chat; the previous one loses its buttons. ``session``: a
    fresh one when the turn's own has ended (an album acknowledged after a quiet spell)."""
    assert turn.state is not None
    text, markup = await _preview(session or turn.session, data["aid"], data["report"])
    if head:
        text = f"{head}\n\n{text}"
    sent = await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)
    await messages.drop_buttons_of(turn.bot, turn.chat_id, data.get("preview"))
    await turn.state.update_data(preview=sent.message_id)


# -- the conversation ---------------------------------------------------------------------------------


async def _enter(turn: Turn, user: User, assignment_id: int, card_id: int | None) -> bool:
    """Open (or continue) the draft and wait for its parts. Returns whether the draft has any."""
    session, state = turn.session, turn.state
    assert state is not None
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
    return bool(draft.text) or bool(await reports.report_files(session, draft.id))


async def start_report(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    if turn.user is None:
        await refuse(query, NOT_STAFF)
        return
    assert turn.state is not None
    try:
        started = await _enter(turn, turn.user, callback_data.id, card_message_id(query))
    except DomainError as exc:
        await refuse_and_refresh(query, turn, callback_data.id, exc)  # an outdated card is redrawn
        return
    await query.answer()
    data = await turn.state.get_data()
    if started:
        head = _("You have an unfinished report on this assignment; let us continue it.")
        await _send_preview(turn, data, head)
        return
    a = await commands.load(turn.session, callback_data.id)
    await turn.bot.send_message(
        query.from_user.id,
        _(
            "Report on assignment №%(id)s «%(title)s».\n\n"
            "Describe in a message what has been done, and send photos and scans: single photos, "
            "albums, PDF or office documents up to %(mb)s MB each; their captions are added to the text. "
            "Then press «📤 Send».\n\n"
            "To stop for now, send /cancel: the draft will be kept."
        )
        % {"id": a.id, "title": quote(a.title), "mb": MAX_FILE_BYTES // (1024 * 1024)},
    )


async def got_text(message: Message, turn: Turn) -> None:
    assert turn.state is not None
    data = await turn.state.get_data()
    if turn.user is None:
        await turn.state.clear()
        return
    try:
        await reports.set_text(turn.session, turn.user, data["report"], message.text or "")
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await _send_preview(turn, data, _("The text is saved."))


def _attachment(message: Message) -> tuple[str, str, int | None, str | None]:
    """file_id, file_unique_id, the size Telegram reports, the original name (photos have none)."""
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return photo.file_id, photo.file_unique_id, photo.file_size, None
    document = message.document
    assert document is not None  # guaranteed by the filter
    return document.file_id, document.file_unique_id, document.file_size, document.file_name


async def _store(message: Message, turn: Turn, user: User, settings: Settings, report_id: int) -> str | None:
    """Download and keep one file; the refusal text when it cannot be kept."""
    file_id, unique_id, size, name = _attachment(message)
    # Bots may not download more than 20 MB: say so before trying.
    if size is not None and size > MAX_FILE_BYTES:
        return _too_big()
    try:
        remote = await turn.bot.get_file(file_id)
        if remote.file_path is None:
            return _too_big()
        buffer = BytesIO()
        await turn.bot.download_file(remote.file_path, destination=buffer)
    except TelegramBadRequest as exc:
        if "too big" in exc.message:
            return _too_big()
        raise
    try:
        await reports.add_file(
            turn.session,
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


async def _keep_caption(message: Message, turn: Turn, user: User, report_id: int) -> tuple[bool, str | None]:
    """The file's caption joined to the report's text (even when the file itself is refused: it is
    what the executor wrote). Whether it was added, and the refusal text when it cannot be."""
    if not (message.caption or "").strip():
        return False, None
    try:
        return await reports.add_caption(turn.session, user, report_id, message.caption), None
    except DomainError as exc:
        return False, domain_error_text(exc)


async def got_file(
    message: Message,
    turn: Turn,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    albums: Albums,
) -> None:
    state = turn.state
    assert state is not None
    data = await state.get_data()
    if turn.user is None:
        await state.clear()
        return
    refused = await _store(message, turn, turn.user, settings, data["report"])
    captioned, caption_refused = await _keep_caption(message, turn, turn.user, data["report"])
    notes = [_("The caption is added to the report's text.")] if captioned else []
    if caption_refused is not None and caption_refused != refused:
        notes.append(caption_refused)
    if message.media_group_id is None:
        if refused is not None:
            await message.answer("\n\n".join([refused, *notes, _kept()]))
            return
        await _send_preview(turn, data, "\n".join([_("The file is added to the report."), *notes]))
        return
    if caption_refused is not None and caption_refused != refused:
        await message.answer(caption_refused)  # the album's acknowledgement shows the text as it is

    async def acknowledge(album: Album) -> None:
        lines = []
        if album.stored:
            lines.append(_("Album received, files added to the report: %(n)s.") % {"n": album.stored})
        lines += album.refused
        if album.refused:
            lines.append(_kept())
        head = "\n\n".join(lines)
        current = await state.get_data()
        if await state.get_state() != ReportForm.collecting or current.get("report") != data["report"]:
            await turn.bot.send_message(turn.chat_id, head)  # the conversation moved on meanwhile
            return
        async with session_factory() as fresh:
            await _send_preview(turn, current, head, session=fresh)

    await albums.add((turn.chat_id, message.media_group_id), refused=refused, on_quiet=acknowledge)


async def other_content(message: Message) -> None:
    await message.answer(
        _(
            "A report takes text, photos and documents (PDF, Word, Excel). "
            "Press «📤 Send» when it is ready, or send /cancel to stop for now."
        )
    )


async def report_button(query: CallbackQuery, callback_data: ReportCallback, turn: Turn) -> None:
    session, user, state = turn.session, turn.user, turn.state
    if user is None:
        await refuse(query, NOT_STAFF)
        return
    assert state is not None
    data = await state.get_data()
    same = await state.get_state() == ReportForm.collecting and data.get("aid") == callback_data.id
    card_id = data.get("card") if same else None
    if callback_data.action == "more":
        try:
            await _enter(turn, user, callback_data.id, card_id)
        except DomainError as exc:
            await refuse(query, exc)
            return
        await query.answer(_("Send more photos or documents, I am listening."))
        return
    if callback_data.action == "cancel":
        if same:
            await state.clear()
        await query.answer()
        await messages.show_in_place(
            query,
            turn.bot,
            _(
                "The report is put aside. Everything you sent is kept in the draft: "
                "press «📎 Report» on the assignment card to continue."
            ),
            None,
        )
        return
    if callback_data.action != "send":
        await refuse(query, _(messages.OUTDATED))
        return
    # Reload the draft through the service: it re-checks the rights and the assignment's state, so a
    # second press (already on review) is refused.
    try:
        draft = await reports.open_draft(session, user, callback_data.id)
        await reports.submit(session, user, draft.id, notify=turn.notice_ctx)
    except DomainError as exc:
        await refuse(query, exc)
        return
    if same:
        await state.clear()
    a = await commands.load(session, callback_data.id)
    await query.answer(_("The report is sent."))
    sent = _(
        "✅ The report on assignment №%(id)s is sent for review. I will tell you the controller's decision."
    )
    await messages.show_in_place(query, turn.bot, sent % {"id": a.id}, None)
    await redraw_card(turn, card_id, a, _("The report is sent for review"))


def create_router() -> Router:
    router = Router(name="assignments_report")
    router.callback_query.register(start_report, AssignmentCallback.filter(F.action == "report"))
    router.callback_query.register(report_button, ReportCallback.filter())
    router.message.register(got_text, ReportForm.collecting, F.text)
    router.message.register(got_file, ReportForm.collecting, F.photo | F.document)
    router.message.register(other_content, ReportForm.collecting)
    return router
