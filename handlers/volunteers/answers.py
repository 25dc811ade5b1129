"""«✅ I will come» / «✖ I can't» on an invitation to volunteer at an event.

Nothing in the press is trusted: ``services.volunteers.shifts.respond`` reloads the shift, checks it
belongs to the sender's own CRM card and is still open; a stale or forged press gets an alert."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.messages import refuse, settle
from bot.turn import Turn
from handlers.volunteers.callbacks import ANSWERS, ShiftCallback, valid_id
from services.errors import DomainError, NotFound
from services.notify import Translator
from services.volunteers import shifts
from services.volunteers.notices import CONFIRM, shift_lines


async def answered(query: CallbackQuery, callback_data: ShiftCallback, turn: Turn) -> None:
    if not valid_id(callback_data.id):
        await refuse(query, NotFound("Shift not found."))
        return
    confirm = callback_data.action == CONFIRM
    try:
        shift, event = await shifts.respond(
            turn.session, query.from_user.id, callback_data.id, confirm=confirm, ctx=turn.notice_ctx
        )
    except DomainError as exc:
        await refuse(query, exc)
        return
    t: Translator = turn.t
    await turn.session.commit()  # the answer is stored before the person reads that it is
    head = t("✅ Thank you! We are waiting for you.") if confirm else t("Noted: you can't come this time.")
    await query.answer(head)
    await settle(query, "\n".join([head, "", *shift_lines(shift, event, t, turn.notice_ctx)]))


def create_router() -> Router:
    router = Router(name="volunteers.answers")
    router.callback_query.register(answered, ShiftCallback.filter(F.action.in_(ANSWERS)))
    return router
