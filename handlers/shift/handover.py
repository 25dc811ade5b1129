"""The hand-over conversation: report → optional note → «Hand over» → the report as files.

Nothing is stored until «Hand over» is pressed; the period is fixed then (from the previous
hand-over to that moment), so a report that sat unread for an hour still hands over everything.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.messages import alert
from bot.turn import Turn
from handlers.shift.callbacks import ShiftAct, ShiftCallback
from handlers.shift.guard import ShiftForm
from models import utcnow
from services.errors import DomainError
from services.html_cut import cut_plain
from services.incidents import shift, shift_files, shift_render
from services.notify import Translator
from services.offload import Offload

NOTE_PREVIEW = 500


def _markup(t: Translator, *, has_note: bool) -> InlineKeyboardMarkup:
    def button(text: str, act: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=ShiftCallback(act=act).pack())

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(t("✅ Hand over the shift"), ShiftAct.GO)],
            [
                button(t("📝 Change the note") if has_note else t("📝 Add a note"), ShiftAct.NOTE),
                button(t("✖ Cancel"), ShiftAct.CANCEL),
            ],
        ]
    )


async def show_report(message: Message, turn: Turn) -> None:
    t = turn.t
    report = await shift.shift_report(turn.session, now=utcnow())
    await turn.fsm.set_state(ShiftForm.confirm)
    await turn.fsm.set_data({"note": ""})
    await message.answer(shift_render.report_text(report, turn.notice_ctx, t))
    await message.answer(
        t("Add a note for the next shift if needed, then hand the shift over."),
        reply_markup=_markup(t, has_note=False),
    )


async def ask_note(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await turn.fsm.set_state(ShiftForm.note)
    await turn.bot.send_message(turn.chat_id, turn.t("Write the note for the next shift in one message."))


async def noted(message: Message, turn: Turn) -> None:
    t = turn.t
    note = (message.text or "").strip()
    if len(note) > shift.NOTE_LIMIT:
        await message.answer(t("The note is too long: at most %(n)s characters.", n=shift.NOTE_LIMIT))
        return
    await turn.fsm.set_state(ShiftForm.confirm)
    await turn.fsm.update_data(note=note)
    await message.answer(
        t("Note for the next shift:") + "\n" + cut_plain(note, NOTE_PREVIEW),
        reply_markup=_markup(t, has_note=bool(note)),
    )


async def note_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please write the note as a text message. To cancel, send /cancel."))


async def buttons_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please tap one of the buttons above. To cancel, send /cancel."))


async def hand_over(query: CallbackQuery, turn: Turn, offload: Offload | None = None) -> None:
    t, ctx = turn.t, turn.notice_ctx
    data = await turn.fsm.get_data()
    user = turn.user
    assert user is not None  # the guard let only a dispatcher through
    try:
        handover = await shift.hand_over(turn.session, user, str(data.get("note") or ""), now=utcnow())
        report = await shift.handover_report(turn.session, handover)
    except DomainError as exc:
        await alert(query, exc)
        return
    await turn.fsm.clear()
    await query.answer(t("The shift is handed over."))
    note, name = handover.note or None, user.full_name
    await turn.bot.send_message(
        turn.chat_id,
        shift_render.report_text(report, ctx, t, note=note, handed_by=name),
        reply_markup=turn.menu.keyboard(user, turn.i18n),
    )
    xlsx, pdf = await shift_files.report_files(report, ctx, t, note=note, handed_by=name, offload=offload)
    for body, ext in ((xlsx, "xlsx"), (pdf, "pdf")):
        document = BufferedInputFile(body, filename=shift_files.file_name(report, ctx, ext))
        await turn.bot.send_document(turn.chat_id, document)


async def cancel(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.clear()
    await query.answer()
    await turn.bot.send_message(
        turn.chat_id,
        turn.t("The shift is not handed over."),
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )


def create_router() -> Router:
    router = Router(name="shift.handover")
    on = router.callback_query.register
    on(ask_note, ShiftForm.confirm, ShiftCallback.filter(F.act == ShiftAct.NOTE))
    on(hand_over, ShiftForm.confirm, ShiftCallback.filter(F.act == ShiftAct.GO))
    on(cancel, ShiftForm.confirm, ShiftCallback.filter(F.act == ShiftAct.CANCEL))
    on(cancel, ShiftForm.note, ShiftCallback.filter(F.act == ShiftAct.CANCEL))
    router.message.register(noted, ShiftForm.note, F.text, ~F.text.startswith("/"))
    router.message.register(note_expected, ShiftForm.note)
    router.message.register(buttons_expected, ShiftForm.confirm)
    return router
