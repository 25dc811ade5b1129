"""Where the address and time steps lead: the next step of a new outage, or a published outage's
change applied through the service (which notifies the residents through the outbox)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import Menu
from bot.texts import domain_error_text
from handlers.dispatch import keyboards
from handlers.dispatch.cards import card_view, notified
from handlers.dispatch.common import ids
from handlers.dispatch.states import Mode, OutageForm
from handlers.dispatch.steps import ask_description, ask_time, load_buildings, show_preview
from models import User
from services.errors import DomainError
from services.notify import NoticeContext, Translator, html_escape
from services.outages import lifecycle
from services.outages.notices import Broadcast


async def back_to_menu(
    bot: Bot, chat_id: int, state: FSMContext, user: User, menu: Menu, i18n: I18n, text: str
) -> None:
    await state.clear()
    await bot.send_message(chat_id, text, reply_markup=menu.keyboard(user, i18n))


async def show_card(
    bot: Bot,
    chat_id: int,
    session: AsyncSession,
    outage_id: int,
    t: Translator,
    ctx: NoticeContext,
    note: str,
) -> None:
    outage = await lifecycle.get_outage(session, outage_id)
    text, markup = await card_view(session, outage, t, ctx, note=note)
    await bot.send_message(chat_id, text, reply_markup=markup)


async def _apply(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    t: Translator,
    ctx: NoticeContext,
    menu: Menu,
    i18n: I18n,
    outage_id: int,
    change: Awaitable[Broadcast],
    done: str,
) -> None:
    """Apply a change to a published outage; say how it went and show the updated card."""
    try:
        result = await change
    except DomainError as exc:
        await back_to_menu(bot, chat_id, state, user, menu, i18n, domain_error_text(exc))
        return
    await back_to_menu(bot, chat_id, state, user, menu, i18n, done)
    await show_card(bot, chat_id, session, outage_id, t, ctx, notified(result.queued, t))


async def addresses_done(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    t: Translator,
    ctx: NoticeContext,
    menu: Menu,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    mode, chosen = data.get("mode"), ids(data.get("buildings"))
    if mode in (Mode.NEW, Mode.SIGNALS):
        if data.get("editing"):
            await show_preview(bot, chat_id, state, session, t, ctx)
        else:
            await ask_time(bot, chat_id, state, t, "start")
        return
    outage_id = int(str(data.get("outage_id")))
    if mode == Mode.REMOVE:
        await state.set_state(OutageForm.remove_confirm)
        houses = await load_buildings(session, chosen)
        names = html_escape("; ".join(f"{b.street}, {b.house}" for b in houses[:20])) + (
            "…" if len(houses) > 20 else ""
        )
        await bot.send_message(
            chat_id,
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
    change = lifecycle.add_buildings(session, ctx, user, outage_id, chosen)
    await _apply(
        bot, chat_id, state, session, user, t, ctx, menu, i18n, outage_id, change, t("Houses added.")
    )


async def remove_confirmed(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    t: Translator,
    ctx: NoticeContext,
    menu: Menu,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    outage_id = int(str(data.get("outage_id")))
    change = lifecycle.remove_buildings(session, ctx, user, outage_id, ids(data.get("buildings")))
    await _apply(
        bot, chat_id, state, session, user, t, ctx, menu, i18n, outage_id, change, t("Houses removed.")
    )


async def time_done(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    t: Translator,
    ctx: NoticeContext,
    menu: Menu,
    i18n: I18n,
    which: str,
    moment: datetime | None,
) -> None:
    """``moment`` (UTC) was validated by the caller; None: the expected end is not known."""
    data = await state.get_data()
    if data.get("mode") == Mode.EXTEND:
        outage_id = int(str(data.get("outage_id")))
        assert moment is not None
        try:
            result = await lifecycle.extend(session, ctx, user, outage_id, moment)
        except DomainError as exc:
            await bot.send_message(chat_id, domain_error_text(exc))
            await ask_time(bot, chat_id, state, t, "extend")
            return
        await back_to_menu(bot, chat_id, state, user, menu, i18n, t("Expected end changed."))
        await show_card(bot, chat_id, session, outage_id, t, ctx, notified(result.queued, t))
        return
    if which == "start":
        await state.update_data(starts_at=moment.isoformat() if moment else None)
        await ask_time(bot, chat_id, state, t, "end")
        return
    await state.update_data(expected_end_at=moment.isoformat() if moment else None)
    if data.get("editing"):
        await show_preview(bot, chat_id, state, session, t, ctx)
    else:
        await ask_description(bot, chat_id, state, t)
