"""Where the address and time steps lead: the next step of a new outage, or a published outage's
change applied through the service (which notifies the residents through the outbox)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.cards import card_view, notified
from handlers.dispatch.common import actor, ids
from handlers.dispatch.states import Mode, OutageForm
from handlers.dispatch.steps import ask_description, ask_time, load_buildings, show_preview
from services.errors import DomainError
from services.notify import html_escape
from services.outages import lifecycle
from services.outages.notices import Broadcast


async def back_to_menu(turn: Turn, text: str) -> None:
    await turn.fsm.clear()
    await turn.bot.send_message(turn.chat_id, text, reply_markup=turn.menu.keyboard(turn.user, turn.i18n))


async def show_card(turn: Turn, outage_id: int, note: str) -> None:
    outage = await lifecycle.get_outage(turn.session, outage_id)
    text, markup = await card_view(turn.session, outage, turn.t, turn.notice_ctx, note=note)
    await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)


async def _apply(turn: Turn, outage_id: int, change: Awaitable[Broadcast], done: str) -> None:
    """Apply a change to a published outage; say how it went and show the updated card."""
    try:
        result = await change
    except DomainError as exc:
        await back_to_menu(turn, domain_error_text(exc))
        return
    await back_to_menu(turn, done)
    await show_card(turn, outage_id, notified(result.queued, turn.t))


async def addresses_done(turn: Turn) -> None:
    t, state, session = turn.t, turn.fsm, turn.session
    data = await state.get_data()
    mode, chosen = data.get("mode"), ids(data.get("buildings"))
    if mode in (Mode.NEW, Mode.SIGNALS):
        if data.get("editing"):
            await show_preview(turn)
        else:
            await ask_time(turn, "start")
        return
    outage_id = int(str(data.get("outage_id")))
    if mode == Mode.REMOVE:
        await state.set_state(OutageForm.remove_confirm)
        houses = await load_buildings(session, chosen)
        names = html_escape("; ".join(f"{b.street}, {b.house}" for b in houses[:20])) + (
            "…" if len(houses) > 20 else ""
        )
        await turn.bot.send_message(
            turn.chat_id,
            t(
                "Remove %(n)s houses from outage №%(id)s? Their subscribers will be told it no longer "
                "concerns them.\n\n%(list)s",
                n=len(houses),
                id=outage_id,
                list=names,
            ),
            reply_markup=keyboards.remove_confirm_markup(t),
        )
        return
    change = lifecycle.add_buildings(session, turn.notice_ctx, actor(turn), outage_id, chosen)
    await _apply(turn, outage_id, change, t("Houses added."))


async def remove_confirmed(turn: Turn) -> None:
    data = await turn.fsm.get_data()
    outage_id = int(str(data.get("outage_id")))
    change = lifecycle.remove_buildings(
        turn.session, turn.notice_ctx, actor(turn), outage_id, ids(data.get("buildings"))
    )
    await _apply(turn, outage_id, change, turn.t("Houses removed."))


async def time_done(turn: Turn, which: str, moment: datetime | None) -> None:
    """``moment`` (UTC) was validated by the caller; None: the expected end is not known."""
    t, state = turn.t, turn.fsm
    data = await state.get_data()
    if data.get("mode") == Mode.EXTEND:
        outage_id = int(str(data.get("outage_id")))
        assert moment is not None
        try:
            result = await lifecycle.extend(turn.session, turn.notice_ctx, actor(turn), outage_id, moment)
        except DomainError as exc:
            await turn.bot.send_message(turn.chat_id, domain_error_text(exc))
            await ask_time(turn, "extend")
            return
        await back_to_menu(turn, t("Expected end changed."))
        await show_card(turn, outage_id, notified(result.queued, t))
        return
    if which == "start":
        await state.update_data(starts_at=moment.isoformat() if moment else None)
        await ask_time(turn, "end")
        return
    await state.update_data(expected_end_at=moment.isoformat() if moment else None)
    if data.get("editing"):
        await show_preview(turn)
    else:
        await ask_description(turn)
