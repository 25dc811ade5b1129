"""The applicant's side in the bot: «📨 My applications» (numbers, statuses, decisions) and, when more
information is asked, «✍️ Add to the application»: text and files, then «Send» returns it to review.

Applications are found by the chat they came from; a press on another's application reads «not found»."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.attachments import accept, download
from bot.messages import refuse, settle, show_in_place
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.applications.callbacks import Act, AppCallback, valid_id
from handlers.applications.states import MoreForm
from models import Application
from models.enums import ApplicationStatus
from porucheno.settings import Settings
from services.applications import access, decisions, notices, queries
from services.captions import with_caption
from services.errors import DomainError, NotFound
from services.files import FileOrigin, store_file

MAX_FILES = 10
TEXT_MAX = decisions.ADDITION_MAX


def _button(text: str, action: str, application_id: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AppCallback(action=action, id=application_id).pack())


def _who(turn: Turn, query: CallbackQuery | None = None) -> int:
    return query.from_user.id if query is not None else turn.chat_id


async def list_view(turn: Turn, telegram_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    t = turn.t
    rows = await queries.of_applicant(turn.session, telegram_id)
    if not rows:
        return t("You have no applications yet."), None
    lines = [t("<b>My applications</b>")]
    buttons = []
    for a in rows:
        lines.append(f"• {a.number} — {quote(a.title)}: {notices.status_name(a.status, t)}")
        buttons.append([_button(f"{a.number} · {a.title[:40]}", Act.OPEN, a.id)])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons)


async def show_mine(message: Message, turn: Turn) -> None:
    if turn.state is not None:
        await turn.state.clear()  # the command leaves any unfinished conversation
    text, markup = await list_view(turn, _who(turn))
    await message.answer(text, reply_markup=markup)


async def _card(turn: Turn, application: Application) -> tuple[str, InlineKeyboardMarkup]:
    t = turn.t
    kind = await access.type_of(turn.session, application)
    lines = [
        notices.headline(application, kind, t),
        t("Status: %(status)s", status=notices.status_name(application.status, t)),
    ]
    if application.decision_text:
        lines.append(t("Decision: %(text)s", text=quote(application.decision_text)))
    rows = []
    if application.status == ApplicationStatus.NEEDS_MORE:
        rows.append([_button(t("✍️ Add to the application"), Act.MORE, application.id)])
    rows.append([_button(t("« My applications"), Act.MINE)])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def open_card(query: CallbackQuery, callback_data: AppCallback, turn: Turn) -> None:
    application = (
        await turn.session.get(Application, callback_data.id) if valid_id(callback_data.id) else None
    )
    if application is None or application.telegram_id != query.from_user.id:
        await refuse(query, NotFound("Application not found."))
        return
    await query.answer()
    text, markup = await _card(turn, application)
    await show_in_place(query, turn.bot, text, markup)


async def show_list(query: CallbackQuery, turn: Turn) -> None:
    """A new message: pressed on a notice, the notice (the decision's text) stays as it was."""
    await query.answer()
    text, markup = await list_view(turn, query.from_user.id)
    await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)


def _collect_markup(turn: Turn, application_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(turn.t("📤 Send"), Act.SEND, application_id)],
            [_button(turn.t("✖️ Stop"), Act.STOP)],
        ]
    )


async def start_more(query: CallbackQuery, callback_data: AppCallback, turn: Turn) -> None:
    try:
        if not valid_id(callback_data.id):
            raise NotFound("Application not found.")
        application = await decisions.load_asking(
            turn.session, callback_data.id, telegram_id=query.from_user.id
        )
    except DomainError as exc:
        await refuse(query, exc)
        return
    await turn.fsm.set_state(MoreForm.collect)
    await turn.fsm.set_data({"id": application.id, "text": "", "files": []})
    await query.answer()
    asked = f"\n\n{quote(application.decision_text)}" if application.decision_text else ""
    await turn.bot.send_message(
        turn.chat_id,
        turn.t(
            "Application № %(number)s: write what you add and send files if needed, then press «📤 Send».",
            number=application.number,
        )
        + asked,
        reply_markup=_collect_markup(turn, application.id),
    )


async def got_text(message: Message, turn: Turn) -> None:
    data = await turn.fsm.get_data()
    text = "\n".join(p for p in (str(data.get("text") or ""), (message.text or "").strip()) if p)
    if len(text) > TEXT_MAX:
        await message.answer(turn.t("The text is too long (at most %(limit)s characters).", limit=TEXT_MAX))
        return
    await turn.fsm.update_data(text=text)
    await message.answer(
        turn.t("Added. Write more, send files, or press «📤 Send»."),
        reply_markup=_collect_markup(turn, int(data["id"])),
    )


async def _keep_caption(message: Message, turn: Turn) -> str | None:
    """A file's caption joins the text of the addition (kept even when the file is refused): what to
    tell, or None when the text did not change."""
    data = await turn.fsm.get_data()
    before = str(data.get("text") or "").strip()
    text = with_caption(before, message.caption)
    if text == before:
        return None
    if len(text) > TEXT_MAX:
        return turn.t(
            "The caption does not fit into the text (at most %(limit)s characters).", limit=TEXT_MAX
        )
    await turn.fsm.update_data(text=text)
    return turn.t("The caption is added to the text.")


async def got_file(message: Message, turn: Turn) -> None:
    files = list((await turn.fsm.get_data()).get("files") or [])
    item, refusal = await accept(turn.bot, message, files, limit=MAX_FILES)
    if item is not None:
        await turn.fsm.update_data(files=[*files, item])
    note = await _keep_caption(message, turn)
    if refusal:
        await message.answer("\n".join(line for line in (refusal, note) if line))
    elif item is not None:
        reply = turn.t("File attached. Add more or press «📤 Send».")
        await message.answer(f"{note}\n{reply}" if note else reply)
    elif note:  # the same file again, with a new caption
        await message.answer(note)


async def send(query: CallbackQuery, callback_data: AppCallback, turn: Turn, settings: Settings) -> None:
    data = await turn.fsm.get_data()
    if int(data.get("id") or 0) != callback_data.id:
        await refuse(query, NotFound("Application not found."))
        return
    stored: list[int] = []
    for item in data.get("files") or []:
        raw = await download(turn.bot, str(item.get("id")))
        if raw is None:
            continue
        origin = FileOrigin(
            telegram_file_id=item.get("id"),
            telegram_file_unique_id=item.get("uid"),
            uploaded_by_telegram_id=query.from_user.id,
        )
        row = await store_file(
            turn.session, settings.files_dir, raw, filename=item.get("name"), origin=origin
        )
        stored.append(row.id)
    try:
        application = await decisions.add_information(
            turn.session,
            callback_data.id,
            str(data.get("text") or ""),
            telegram_id=query.from_user.id,
            file_ids=stored,
            ctx=turn.notice_ctx,
        )
    except DomainError as exc:
        await turn.session.rollback()
        await query.answer(domain_error_text(exc), show_alert=True)
        return
    await turn.fsm.clear()
    await query.answer()
    await settle(query, turn.t("📤 Sent."))
    await turn.bot.send_message(
        turn.chat_id,
        turn.t("Thank you! Application № %(number)s is back in review.", number=application.number),
    )


async def stop(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.clear()
    await query.answer()
    await settle(query, turn.t("Nothing is added."))


async def hint(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Send text or files, then press «📤 Send»; or press «✖️ Stop»."))


def create_router() -> Router:
    router = Router(name="applications.applicant")
    cb = router.callback_query.register
    cb(open_card, AppCallback.filter(F.action == Act.OPEN))
    cb(show_list, AppCallback.filter(F.action == Act.MINE))
    cb(start_more, AppCallback.filter(F.action == Act.MORE))
    cb(send, MoreForm.collect, AppCallback.filter(F.action == Act.SEND))
    cb(stop, MoreForm.collect, AppCallback.filter(F.action == Act.STOP))
    router.message.register(got_text, MoreForm.collect, F.text, ~F.text.startswith("/"))
    router.message.register(got_file, MoreForm.collect, F.photo | F.document)
    router.message.register(hint, MoreForm.collect)
    return router
