"""«Active outages»: the list, one outage's card and its actions.

Every press reloads the outage; the services check the role and the state again, so a stale card
(the outage was resolved meanwhile) gets an alert and is redrawn as the outage is now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.menu import MenuButton
from bot.messages import alert, outdated, show_in_place
from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.callbacks import OutageAct, OutageCallback
from handlers.dispatch.cards import card_view, list_view, notified
from handlers.dispatch.common import actor
from handlers.dispatch.news import ask_news
from handlers.dispatch.record import card_orgs
from handlers.dispatch.restored import ask_restored_at
from handlers.dispatch.states import Mode
from handlers.dispatch.steps import ask_addresses, ask_time
from models import Outage
from models.enums import OutageStatus
from services.errors import DomainError
from services.outages import lifecycle
from services.outages.notices import Broadcast

ACTIVE_KEY = "dispatch_active"
OPEN_STATUSES = (OutageStatus.PLANNED, OutageStatus.ACTIVE)


# A press on an outage's card: the card's message, the turn, the reloaded outage.
Action = Callable[[CallbackQuery, Turn, Outage], Awaitable[None]]


async def show_list(message: Message, turn: Turn) -> None:
    text, markup = await list_view(turn.session, 0, turn.t, turn.notice_ctx)
    await message.answer(text, reply_markup=markup)


async def _redraw_card(query: CallbackQuery, turn: Turn, outage: Outage, note: str = "") -> None:
    text, markup = await card_view(turn.session, outage, turn.t, turn.notice_ctx, note=note)
    await show_in_place(query, turn.bot, text, markup)


async def _open(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    await query.answer()
    await _redraw_card(query, turn, outage)


async def _show(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    await query.answer()
    text, markup = await card_view(turn.session, outage, turn.t, turn.notice_ctx)
    await turn.bot.send_message(query.from_user.id, text, reply_markup=markup)


async def _extend(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    await query.answer()
    state = turn.fsm
    await state.clear()
    await state.update_data(mode=Mode.EXTEND, outage_id=outage.id, kind=outage.kind)
    await ask_time(turn, "extend")


def _change_houses(mode: str) -> Action:
    async def change(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
        await query.answer()
        state = turn.fsm
        await state.clear()
        await state.update_data(mode=mode, outage_id=outage.id, kind=outage.kind, buildings=[])
        await ask_addresses(turn)

    return change


async def _ask_resolve(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    t = turn.t
    await query.answer()
    text = t(
        "Is the supply restored at every address of outage №%(id)s? Its subscribers and the "
        "residents who reported will be notified.",
        id=outage.id,
    )
    markup = keyboards.resolve_confirm_markup(outage.id, t)
    await show_in_place(query, turn.bot, text, markup)


async def _ask_cancel(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
    t = turn.t
    await query.answer()
    text = t("Cancel outage №%(id)s? Its subscribers will be told it is called off.", id=outage.id)
    markup = keyboards.confirm_markup(outage.id, OutageAct.CANCEL_YES, t("❎ Yes, cancel it"), t)
    await show_in_place(query, turn.bot, text, markup)


def _close(close: Callable[..., Awaitable[Broadcast]]) -> Action:
    """Resolve or cancel through the service; a refusal redraws the card as the outage is now."""

    async def confirmed(query: CallbackQuery, turn: Turn, outage: Outage) -> None:
        try:
            result = await close(turn.session, turn.notice_ctx, actor(turn), outage.id)
        except DomainError as exc:
            await alert(query, exc)
            await _redraw_card(query, turn, outage)
            return
        await query.answer(turn.t("Done."))
        await _redraw_card(query, turn, outage, notified(result.queued, turn.t))

    return confirmed


# Presses that only show the outage, whatever its state.
VIEWS: dict[str, Action] = {OutageAct.OPEN: _open, OutageAct.SHOW: _show}
# Presses that change it: only while it is planned or in effect (resolving: only in effect).
CHANGES: dict[str, Action] = {
    OutageAct.EXTEND: _extend,
    OutageAct.NEWS: ask_news,
    OutageAct.ORGS: card_orgs,
    OutageAct.ADD: _change_houses(Mode.ADD),
    OutageAct.REMOVE: _change_houses(Mode.REMOVE),
    OutageAct.RESOLVE: _ask_resolve,
    OutageAct.CANCEL: _ask_cancel,
    OutageAct.RESOLVE_YES: _close(lifecycle.resolve),
    OutageAct.RESOLVE_AT: ask_restored_at,
    OutageAct.CANCEL_YES: _close(lifecycle.cancel),
}
NEEDS_ACTIVE = frozenset({OutageAct.RESOLVE, OutageAct.RESOLVE_YES, OutageAct.RESOLVE_AT})


async def pressed(query: CallbackQuery, callback_data: OutageCallback, turn: Turn) -> None:
    t, act = turn.t, callback_data.act
    if act == OutageAct.LIST:
        await query.answer()
        text, markup = await list_view(turn.session, callback_data.page, t, turn.notice_ctx)
        await show_in_place(query, turn.bot, text, markup)
        return
    outage = await turn.session.get(Outage, callback_data.id)
    if outage is None:
        await alert(query, t("Outage not found."))
        return
    if view := VIEWS.get(act):
        await view(query, turn, outage)
        return
    if outage.status not in OPEN_STATUSES or (act in NEEDS_ACTIVE and outage.status != OutageStatus.ACTIVE):
        # Stale: resolved or cancelled meanwhile, or not begun yet: show it as it is now.
        await alert(query, t("This outage has already changed; here is its current state."))
        await _redraw_card(query, turn, outage)
        return
    change = CHANGES.get(act)
    if change is None:
        await outdated(query)
        return
    await change(query, turn, outage)


def create_router() -> Router:
    router = Router(name="dispatch.outages")
    router.message.register(show_list, MenuButton(ACTIVE_KEY))
    router.callback_query.register(pressed, OutageCallback.filter())
    return router
