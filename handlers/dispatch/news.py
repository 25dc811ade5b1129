"""«📢 News for residents» on a published outage's card: the dispatcher types what residents should
know (the works, where to get water), optionally with a new expected end; it is kept as an update
of the outage and sent to its subscribers and to the residents whose reports it answers."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.messages import alert, outdated, settle
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.callbacks import StepAct, StepCallback
from handlers.dispatch.cards import notified
from handlers.dispatch.common import actor
from handlers.dispatch.finish import back_to_menu, show_card
from handlers.dispatch.parsing import parse_moment, too_far
from handlers.dispatch.picks import resolve
from handlers.dispatch.states import OutageForm
from handlers.dispatch.steps import TIME_EXAMPLES, time_base
from models import Outage, utcnow
from services.errors import DomainError
from services.incidents import update_notices
from services.incidents.updates import TEXT_LIMIT, FieldReport, Target, post_dispatcher_update


async def ask_news(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    await query.answer()
    state = turn.fsm
    await state.clear()
    await state.update_data(outage_id=outage.id)
    await state.set_state(OutageForm.news_text)
    await turn.bot.send_message(
        turn.chat_id,
        turn.t(
            "Write the news for the residents of outage №%(id)s: what is being done, where to get water…",
            id=outage.id,
        ),
        reply_markup=keyboards.cancel_keyboard(turn.t),
    )


async def news_typed(message: Message, turn: Turn) -> None:
    t, text = turn.t, (message.text or "").strip()
    if len(text) > TEXT_LIMIT:
        await message.answer(t("The text is too long: at most %(n)s characters.", n=TEXT_LIMIT))
        return
    await turn.fsm.update_data(news=text)
    await turn.fsm.set_state(OutageForm.news_time)
    await message.answer(
        t(
            "Is there a new expected end? Pick below (counted from the current one), type it (%(examples)s), "
            "or keep it as it is.",
            examples=TIME_EXAMPLES,
        ),
        reply_markup=keyboards.news_time_markup(t, await time_base(turn, "extend")),
    )


async def _post(turn: Turn, moment: datetime | None) -> None:
    t, session = turn.t, turn.session
    data = await turn.fsm.get_data()
    outage_id = int(str(data.get("outage_id")))
    try:
        update = await post_dispatcher_update(
            session,
            actor(turn),
            Target("outage", outage_id),
            FieldReport(text=str(data.get("news") or ""), expected_end_at=moment),
        )
        result = await update_notices.broadcast_update(session, turn.notice_ctx, update)
    except DomainError as exc:
        await session.rollback()
        await back_to_menu(turn, domain_error_text(exc))
        return
    await back_to_menu(turn, t("The news is published."))
    await show_card(turn, outage_id, notified(result.queued, t))


async def time_picked(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    if callback_data.act == StepAct.KEEP_END:
        await query.answer()
        await settle(query, t("The expected end stays as it is."))
        await _post(turn, None)
        return
    now = ctx.local(utcnow())
    moment = resolve(callback_data.value, base=await time_base(turn, "extend"), now=now, from_base=True)
    if moment is None or callback_data.value == "now":
        await outdated(query)
        return
    if moment <= now or too_far(moment, now):
        await alert(query, t("The expected end must be in the future."))
        return
    await query.answer()
    await settle(query, t("Expected end: %(when)s", when=ctx.format_dt(moment)))
    await _post(turn, moment.astimezone(UTC))


async def time_typed(message: Message, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    now = ctx.local(utcnow())
    moment = parse_moment(message.text or "", now, after=now)
    if moment is None:
        await message.answer(
            t("I could not read a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
        )
        return
    if moment <= now or too_far(moment, now):
        await message.answer(t("The expected end must be in the future."))
        return
    await _post(turn, moment.astimezone(UTC))


async def text_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please write the news as a text message. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="dispatch.news")
    router.message.register(news_typed, OutageForm.news_text, F.text, ~F.text.startswith("/"))
    router.message.register(text_expected, OutageForm.news_text)
    router.callback_query.register(
        time_picked, OutageForm.news_time, StepCallback.filter(F.act.in_({StepAct.TIME, StepAct.KEEP_END}))
    )
    router.message.register(time_typed, OutageForm.news_time, F.text, ~F.text.startswith("/"))
    return router
