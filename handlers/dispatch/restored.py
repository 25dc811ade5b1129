"""«Restored earlier»: the supply came back before the dispatcher could press the button, so the
outage's actual restoration time (``ended_at``, what the log and the summaries count) is typed."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.cards import notified
from handlers.dispatch.common import actor
from handlers.dispatch.finish import back_to_menu, show_card
from handlers.dispatch.parsing import parse_moment, too_far
from handlers.dispatch.states import OutageForm
from handlers.dispatch.steps import TIME_EXAMPLES
from models import Outage, utcnow
from services.errors import DomainError
from services.outages import lifecycle

BARE_TIME = re.compile(r"^\s*\d{1,2}[:.]\d{2}\s*$")


async def ask_restored_at(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    await query.answer()
    state = turn.fsm
    await state.clear()
    await state.update_data(outage_id=outage.id)
    await state.set_state(OutageForm.restored_at)
    await turn.bot.send_message(
        turn.chat_id,
        turn.t(
            "When was the supply of outage №%(id)s actually restored? Type the time: %(examples)s.",
            id=outage.id,
            examples=TIME_EXAMPLES,
        ),
        reply_markup=keyboards.cancel_keyboard(turn.t),
    )


async def typed(message: Message, turn: Turn) -> None:
    t, ctx, session = turn.t, turn.notice_ctx, turn.session
    now = ctx.local(utcnow())
    moment = parse_moment(message.text or "", now)
    if moment is None:
        await message.answer(
            t("I could not read a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
        )
        return
    if moment > now and BARE_TIME.match(message.text or ""):
        moment -= timedelta(days=1)  # a bare «23:40» typed after midnight is last night
    if moment > now or too_far(moment, now):
        await message.answer(t("The restoration time cannot be in the future."))
        return
    outage_id = int(str((await turn.fsm.get_data()).get("outage_id")))
    try:
        result = await lifecycle.resolve(session, ctx, actor(turn), outage_id, moment.astimezone(UTC))
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await back_to_menu(turn, t("Supply restored at %(when)s.", when=ctx.format_dt(moment)))
    await show_card(turn, outage_id, notified(result.queued, t))


def create_router() -> Router:
    router = Router(name="dispatch.restored")
    router.message.register(typed, OutageForm.restored_at, F.text, ~F.text.startswith("/"))
    return router
