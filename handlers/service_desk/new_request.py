"""«🛠 Service request»: topic → urgency → subject and text (one message) → photos and documents →
confirm. The request is filed through ``requests.file_request``, which notifies the service. A file's
caption joins the request's details.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.albums import Album, Albums
from bot.messages import drop_buttons, outdated, settle
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.service_desk import files
from handlers.service_desk.callbacks import NewAct, NewCallback, valid_id
from handlers.service_desk.states import DeskForm
from models import ServiceRequest
from models.enums import ServiceUrgency
from porucheno.settings import Settings
from services.captions import with_caption
from services.errors import DomainError
from services.html_cut import cut_plain
from services.notify import html_escape
from services.service_desk import queries, requests
from services.service_desk.notices import URGENCY_NAMES, topic_name


def step(text: str, act: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=NewCallback(act=act, value=value).pack())


def cancel_row(turn: Turn) -> list[InlineKeyboardButton]:
    return [step(turn.t("✖ Cancel"), NewAct.CANCEL)]


async def begin(turn: Turn) -> None:
    t = turn.t
    topics = await queries.active_topics(turn.session)
    await turn.fsm.clear()
    if not topics:
        await turn.bot.send_message(turn.chat_id, t("No service takes requests yet. Ask your administrator."))
        return
    await turn.fsm.set_state(DeskForm.topic)
    await turn.fsm.set_data({"files": []})
    rows = [[step(topic_name(topic, turn.locale), NewAct.TOPIC, str(topic.id))] for topic in topics]
    rows.append(cancel_row(turn))
    await turn.bot.send_message(
        turn.chat_id,
        t("🛠 <b>A request to a service</b>\n\nWhat is it about? Choose the topic."),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def start(message: Message, turn: Turn) -> None:
    await begin(turn)


async def start_pressed(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await begin(turn)


async def topic_chosen(query: CallbackQuery, callback_data: NewCallback, turn: Turn) -> None:
    t = turn.t
    raw = callback_data.value
    # A forged huge number would fail in the database rather than read as «no such topic».
    topic = await queries.topic(turn.session, int(raw)) if raw.isdigit() and valid_id(int(raw)) else None
    if topic is None or not topic.is_active:
        await outdated(query)
        return
    await query.answer()
    await settle(query, t("Topic: %(topic)s", topic=html_escape(topic_name(topic, turn.locale))))
    await turn.fsm.update_data(topic_id=topic.id)
    await turn.fsm.set_state(DeskForm.urgency)
    rows = [[step(t(URGENCY_NAMES[u]), NewAct.URGENCY, u.value)] for u in ServiceUrgency]
    rows.append(cancel_row(turn))
    await turn.bot.send_message(
        turn.chat_id, t("How urgent is it?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def urgency_chosen(query: CallbackQuery, callback_data: NewCallback, turn: Turn) -> None:
    t = turn.t
    if callback_data.value not in set(ServiceUrgency):
        await outdated(query)
        return
    await query.answer()
    await settle(
        query, t("Urgency: %(urgency)s", urgency=t(URGENCY_NAMES[ServiceUrgency(callback_data.value)]))
    )
    await turn.fsm.update_data(urgency=callback_data.value)
    await turn.fsm.set_state(DeskForm.text)
    await turn.bot.send_message(
        turn.chat_id,
        t(
            "Describe the problem in one message: the first line is the subject, "
            "the rest are the details (where, what exactly, since when)."
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[cancel_row(turn)]),
    )


async def got_text(message: Message, turn: Turn) -> None:
    t = turn.t
    raw = (message.text or "").strip()
    subject, _, rest = raw.partition("\n")
    subject, rest = subject.strip(), rest.strip()
    if not subject:
        await message.answer(t("Write a few words."))
        return
    if len(subject) > requests.SUBJECT_LIMIT:
        await message.answer(
            t(
                "The first line is the subject: at most %(n)s characters. Please shorten it.",
                n=requests.SUBJECT_LIMIT,
            )
        )
        return
    if len(rest) > requests.TEXT_LIMIT:
        await message.answer(t("The text is too long: at most %(n)s characters.", n=requests.TEXT_LIMIT))
        return
    await turn.fsm.update_data(subject=subject, text=rest)
    await turn.fsm.set_state(DeskForm.files)
    await ask_files(turn, t("The text is saved."))


async def ask_files(turn: Turn, head: str) -> None:
    t = turn.t
    count = len((await turn.fsm.get_data()).get("files") or [])
    text = t("Send photos or documents if they help (several are fine), then tap «Done».")
    if count:
        text += "\n\n" + t("Files attached: %(n)s.", n=count)
    markup = InlineKeyboardMarkup(inline_keyboard=[[step(t("✅ Done"), NewAct.FILES_DONE)], cancel_row(turn)])
    await turn.bot.send_message(turn.chat_id, f"{head}\n\n{text}", reply_markup=markup)


async def _keep_caption(message: Message, turn: Turn) -> tuple[str | None, str | None]:
    """A file's caption joins the request's details (kept even when the file is refused).
    (the note that it was added, the refusal when it does not fit); both None without a caption."""
    if not (message.caption or "").strip():
        return None, None
    before = str((await turn.fsm.get_data()).get("text") or "").strip()
    text = with_caption(before, message.caption)
    if text == before:
        return None, None
    if len(text) > requests.TEXT_LIMIT:
        return None, turn.t(
            "The caption does not fit into the text: at most %(n)s characters.", n=requests.TEXT_LIMIT
        )
    await turn.fsm.update_data(text=text)
    return turn.t("The caption is added to the text of the request."), None


async def got_file(message: Message, turn: Turn, albums: Albums) -> None:
    refused = await files.take(message, turn)
    added, caption_refused = await _keep_caption(message, turn)
    if message.media_group_id is None:
        head = refused if refused is not None else turn.t("The file is attached.")
        await ask_files(turn, "\n".join(line for line in (head, added, caption_refused) if line))
        return
    if caption_refused is not None:
        await message.answer(caption_refused)  # the album's acknowledgement counts the files only

    async def acknowledge(album: Album) -> None:  # once per album, when its parts stop arriving
        if await turn.fsm.get_state() != DeskForm.files:
            return
        await ask_files(turn, files.album_text(turn, album))

    await albums.add((turn.chat_id, message.media_group_id), refused=refused, on_quiet=acknowledge)


async def text_hint(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Write the subject and the details in a message, or send /cancel."))


async def files_hint(message: Message, turn: Turn) -> None:
    await ask_files(turn, turn.t("I am waiting for photos or documents."))


async def files_done(query: CallbackQuery, turn: Turn) -> None:
    t = turn.t
    await query.answer()
    await drop_buttons(query)
    data = await turn.fsm.get_data()
    topic = await queries.topic(turn.session, data.get("topic_id"))
    urgency = ServiceUrgency(str(data.get("urgency")))
    lines = [
        t("<b>Check the request</b>"),
        t("Topic: %(topic)s", topic=html_escape(topic_name(topic, turn.locale))),
        t("Urgency: %(urgency)s", urgency=t(URGENCY_NAMES[urgency])),
        f"<b>{html_escape(str(data.get('subject') or ''))}</b>",
    ]
    if data.get("text"):
        lines.append(cut_plain(str(data["text"]), 1500))
    lines.append(t("Files attached: %(n)s.", n=len(data.get("files") or [])))
    await turn.fsm.set_state(DeskForm.confirm)
    markup = InlineKeyboardMarkup(inline_keyboard=[[step(t("📨 Send"), NewAct.SEND)], cancel_row(turn)])
    await turn.bot.send_message(turn.chat_id, "\n".join(lines), reply_markup=markup)


async def send(query: CallbackQuery, turn: Turn, settings: Settings) -> None:
    t, ctx = turn.t, turn.notice_ctx
    data = await turn.fsm.get_data()
    await query.answer()
    await drop_buttons(query)
    try:
        file_ids, lost = await files.store_all(turn, settings.files_dir, list(data.get("files") or []))
        request = await requests.file_request(
            turn.session,
            turn.user,
            requests.NewRequest(
                topic_id=int(data.get("topic_id") or 0),
                subject=str(data.get("subject") or ""),
                text=str(data.get("text") or ""),
                urgency=str(data.get("urgency") or ServiceUrgency.NORMAL),
                file_ids=file_ids,
            ),
            ctx=ctx,
        )
    except DomainError as exc:
        await turn.fsm.clear()
        await turn.bot.send_message(
            turn.chat_id, t("The request is not filed: %(why)s", why=domain_error_text(exc))
        )
        return
    await turn.fsm.clear()
    await turn.bot.send_message(turn.chat_id, accepted_text(turn, request, lost))


def accepted_text(turn: Turn, request: ServiceRequest, lost: int) -> str:
    t, ctx = turn.t, turn.notice_ctx
    lines = [t("Request № %(number)s is accepted.", number=request.number)]
    if request.reaction_due_at is not None and request.resolution_due_at is not None:
        lines.append(
            t(
                "Counted in working time: reaction by %(reaction)s, resolution by %(resolution)s.",
                reaction=ctx.format_dt(request.reaction_due_at),
                resolution=ctx.format_dt(request.resolution_due_at),
            )
        )
    if lost:
        lines.append(t("Telegram no longer gives some files: %(n)s; send them again in a message.", n=lost))
    lines.append(t("You will be told here when the service answers. «🛠 My service requests» shows them all."))
    return "\n".join(lines)


async def cancelled(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.clear()
    await query.answer()
    await settle(query, turn.t("The request is not filed."))


def create_router() -> Router:
    router = Router(name="service_desk.new")
    cb = router.callback_query.register
    in_form = StateFilter(DeskForm.topic, DeskForm.urgency, DeskForm.text, DeskForm.files, DeskForm.confirm)
    cb(start_pressed, NewCallback.filter(F.act == NewAct.START))
    cb(cancelled, in_form, NewCallback.filter(F.act == NewAct.CANCEL))
    cb(topic_chosen, DeskForm.topic, NewCallback.filter(F.act == NewAct.TOPIC))
    cb(urgency_chosen, DeskForm.urgency, NewCallback.filter(F.act == NewAct.URGENCY))
    cb(files_done, DeskForm.files, NewCallback.filter(F.act == NewAct.FILES_DONE))
    cb(send, DeskForm.confirm, NewCallback.filter(F.act == NewAct.SEND))
    msg = router.message.register
    msg(got_text, DeskForm.text, F.text, ~F.text.startswith("/"))
    msg(text_hint, DeskForm.text)
    msg(got_file, DeskForm.files, F.photo | F.document)
    msg(files_hint, DeskForm.files)
    return router
