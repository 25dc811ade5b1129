"""«Active outages»: the list, one outage's card and its actions.

Every press reloads the outage; the services check the role and the state again, so a stale card
(the outage was resolved meanwhile) gets an alert and is redrawn as the outage is now.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import MenuButton
from bot.messages import alert, outdated, show_in_place
from handlers.dispatch import keyboards
from handlers.dispatch.callbacks import OutageAct, OutageCallback
from handlers.dispatch.cards import card_view, list_view, notified
from handlers.dispatch.common import tr
from handlers.dispatch.states import Mode
from handlers.dispatch.steps import ask_addresses, ask_time
from models import Outage, User
from models.enums import OutageStatus
from services.errors import DomainError
from services.notify import NoticeContext, Translator
from services.outages import lifecycle

ACTIVE_KEY = "dispatch_active"
OPEN_STATUSES = (OutageStatus.PLANNED, OutageStatus.ACTIVE)


async def show_list(message: Message, session: AsyncSession, notice_ctx: NoticeContext, i18n: I18n) -> None:
    text, markup = await list_view(session, 0, tr(i18n), notice_ctx)
    await message.answer(text, reply_markup=markup)


async def _redraw_card(
    query: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    outage: Outage,
    t: Translator,
    ctx: NoticeContext,
    note: str = "",
) -> None:
    text, markup = await card_view(session, outage, t, ctx, note=note)
    await show_in_place(query, bot, text, markup)


async def pressed(
    query: CallbackQuery,
    callback_data: OutageCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    notice_ctx: NoticeContext,
    i18n: I18n,
) -> None:
    t, act = tr(i18n), callback_data.act
    if act == OutageAct.LIST:
        await query.answer()
        text, markup = await list_view(session, callback_data.page, t, notice_ctx)
        await show_in_place(query, bot, text, markup)
        return
    outage = await session.get(Outage, callback_data.id)
    if outage is None:
        await alert(query, t("Outage not found."))
        return
    if act == OutageAct.OPEN:
        await query.answer()
        await _redraw_card(query, bot, session, outage, t, notice_ctx)
        return
    if act == OutageAct.SHOW:
        await query.answer()
        text, markup = await card_view(session, outage, t, notice_ctx)
        await bot.send_message(query.from_user.id, text, reply_markup=markup)
        return
    if outage.status not in OPEN_STATUSES or (
        act in (OutageAct.RESOLVE, OutageAct.RESOLVE_YES) and outage.status != OutageStatus.ACTIVE
    ):
        # Stale: resolved or cancelled meanwhile, or not begun yet: show it as it is now.
        await alert(query, t("This outage has already changed; here is its current state."))
        await _redraw_card(query, bot, session, outage, t, notice_ctx)
        return
    chat_id = query.from_user.id
    if act == OutageAct.EXTEND:
        await query.answer()
        await state.clear()
        await state.update_data(mode=Mode.EXTEND, outage_id=outage.id, kind=outage.kind)
        await ask_time(bot, chat_id, state, t, "extend")
    elif act in (OutageAct.ADD, OutageAct.REMOVE):
        await query.answer()
        await state.clear()
        mode = Mode.ADD if act == OutageAct.ADD else Mode.REMOVE
        await state.update_data(mode=mode, outage_id=outage.id, kind=outage.kind, buildings=[])
        await ask_addresses(bot, chat_id, state, session, t)
    elif act == OutageAct.RESOLVE:
        await query.answer()
        text = t(
            "Is the supply restored at every address of outage №%(id)s? Its subscribers and the "
            "residents who reported will be notified.",
            id=outage.id,
        )
        await show_in_place(
            query,
            bot,
            text,
            keyboards.confirm_markup(outage.id, OutageAct.RESOLVE_YES, t("✅ Yes, restored"), t),
        )
    elif act == OutageAct.CANCEL:
        await query.answer()
        text = t("Cancel outage №%(id)s? Its subscribers will be told it is called off.", id=outage.id)
        await show_in_place(
            query,
            bot,
            text,
            keyboards.confirm_markup(outage.id, OutageAct.CANCEL_YES, t("❎ Yes, cancel it"), t),
        )
    elif act in (OutageAct.RESOLVE_YES, OutageAct.CANCEL_YES):
        try:
            if act == OutageAct.RESOLVE_YES:
                result = await lifecycle.resolve(session, notice_ctx, user, outage.id)
            else:
                result = await lifecycle.cancel(session, notice_ctx, user, outage.id)
        except DomainError as exc:
            await alert(query, exc)
            await _redraw_card(query, bot, session, outage, t, notice_ctx)
            return
        await query.answer(t("Done."))
        await _redraw_card(query, bot, session, outage, t, notice_ctx, notified(result.queued, t))
    else:
        await outdated(query)


def create_router() -> Router:
    router = Router(name="dispatch.outages")
    router.message.register(show_list, MenuButton(ACTIVE_KEY))
    router.callback_query.register(pressed, OutageCallback.filter())
    return router
