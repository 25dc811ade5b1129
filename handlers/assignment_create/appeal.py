"""Linking the new assignment to an appeal from the confirmation card: the number is typed as shown
everywhere (``2026-000004``), or ``4/2026``, or ``000004`` of this year (one parser in services)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.messages import drop_buttons
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.assignment_create.callbacks import NewAct, NewCallback
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import show_confirm
from services.appeals import numbering
from services.errors import DomainError


def appeal_prompt(example: str) -> str:
    return _(
        "Send the number of the appeal this assignment works on, as it is shown on the appeal, "
        "e.g. %(example)s. Send «-» to link none."
    ) % {"example": example}


async def ask(query: CallbackQuery, state: FSMContext, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await state.set_state(CreateAssignment.appeal)
    example = numbering.format_number(numbering.current_year(turn.notice_ctx.tz), 4)
    await turn.bot.send_message(turn.chat_id, appeal_prompt(example))


async def got_number(message: Message, state: FSMContext, turn: Turn) -> None:
    raw = (message.text or "").strip()
    if raw in {"-", "—", "–"}:
        await state.update_data(appeal_id=None, appeal_number=None)
        await show_confirm(turn)
        return
    try:
        appeal = await numbering.find_by_reference(
            turn.session, raw, year=numbering.current_year(turn.notice_ctx.tz)
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await state.update_data(appeal_id=appeal.id, appeal_number=appeal.reg_number)
    await show_confirm(turn)


async def hint(message: Message, turn: Turn) -> None:
    example = numbering.format_number(numbering.current_year(turn.notice_ctx.tz), 4)
    await message.answer(appeal_prompt(example))


def create_router() -> Router:
    router = Router(name="assignment_create.appeal")
    router.callback_query.register(ask, CreateAssignment.confirm, NewCallback.filter(F.act == NewAct.APPEAL))
    router.message.register(got_number, CreateAssignment.appeal, F.text, ~F.text.startswith("/"))
    router.message.register(hint, CreateAssignment.appeal)
    return router
