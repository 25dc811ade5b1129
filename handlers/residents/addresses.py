"""«My addresses»: the houses a resident follows for outage notices; add by text or location, remove."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import alert, show_in_place
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.residents.callbacks import AddressCallback, Goal, UnsubscribeCallback
from handlers.residents.lookup import NotMenuButton, address_expected, building_from_text, offer_nearest
from handlers.residents.states import SubscribeForm
from handlers.residents.texts import address_text, format_hint, location_keyboard, outage_lines
from models import Building, TelegramAccount, utcnow
from models.enums import OutageStatus, UpdatePublish
from services.errors import DomainError
from services.html_cut import cut_html, cut_plain
from services.incidents.updates import Target, updates_of
from services.notify import NoticeContext
from services.outages.lifecycle import outages_at_building
from services.outages.notices import address
from services.outages.subscriptions import subscribe, subscriptions_of, unsubscribe

# A planned outage this close is news to someone who has just subscribed; later ones get the warning.
SOON = timedelta(hours=24)
NEWS_LIMIT = 700


async def current_outages_text(session: AsyncSession, building: Building, ctx: NoticeContext) -> str:
    """The outages in effect at the house, or planned to start within a day, with the latest news:
    a new subscriber would otherwise hear nothing until the next change."""
    now = utcnow()
    current = [
        o
        for o in await outages_at_building(session, building.id, now)
        if o.status == OutageStatus.ACTIVE or o.starts_at <= now + SOON
    ]
    if not current:
        return ""
    lines = [_("⚠️ <b>Outages at this address now:</b>")]
    for outage in current:
        lines += ["", *outage_lines(outage, ctx, now)]
        published = [
            u
            for u in await updates_of(session, Target("outage", outage.id))
            if u.publish == UpdatePublish.PUBLISHED
        ]
        if published:
            latest = published[-1]
            lines.append(
                _("Latest news (%(when)s): %(text)s")
                % {
                    "when": ctx.format_dt(latest.occurred_at),
                    "text": cut_plain(latest.text, NEWS_LIMIT),
                }
            )
    return "\n".join(lines)


MY_ADDRESSES = MenuItem(
    "resident_addresses",
    N_("My addresses"),
    residents=True,
    hint=N_("addresses you get outage notices for"),
    order=40,
)


def _list_view(buildings: list[Building]) -> tuple[str, InlineKeyboardMarkup | None]:
    if not buildings:
        return _("You do not follow any address yet."), None
    lines = [_("<b>Your addresses</b>")]
    lines += [f"{i}. {address_text(b)}" for i, b in enumerate(buildings, 1)]
    lines += ["", _("Notices about outages at these addresses arrive in this chat.")]
    builder = InlineKeyboardBuilder()
    for b in buildings:
        builder.button(
            text=_("✖ Unsubscribe: %(address)s") % {"address": address(b)},
            callback_data=UnsubscribeCallback(id=b.id),
        )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


async def show_addresses(
    message: Message, state: FSMContext, session: AsyncSession, account: TelegramAccount
) -> None:
    await state.clear()
    await state.set_state(SubscribeForm.address)
    text, markup = _list_view(list(await subscriptions_of(session, account.id)))
    prompt = _("To add an address, type it or share your location.") + "\n" + format_hint()
    if markup is None:
        await message.answer(f"{text}\n\n{prompt}", reply_markup=location_keyboard())
        return
    await message.answer(text, reply_markup=markup)
    await message.answer(prompt, reply_markup=location_keyboard())


async def _subscribe(turn: Turn, account: TelegramAccount, building: Building) -> None:
    session = turn.session
    already = any(b.id == building.id for b in await subscriptions_of(session, account.id))
    try:
        await subscribe(session, account.id, building.id)
    except DomainError as exc:
        await turn.bot.send_message(turn.chat_id, domain_error_text(exc))
        return
    if turn.state is not None and await turn.state.get_state() == SubscribeForm.address.state:
        await turn.state.clear()
    if already:
        text = _("You already follow %(address)s.") % {"address": address_text(building)}
    else:
        text = _("Done! Notices about outages at %(address)s will arrive in this chat.") % {
            "address": address_text(building)
        }
    text += "\n" + _("To add another address, press «%(button)s» again.") % {"button": _(MY_ADDRESSES.text)}
    if current := await current_outages_text(session, building, turn.notice_ctx):
        text = cut_html(text + "\n\n" + current)  # several long outages must not overflow the message
    await turn.bot.send_message(turn.chat_id, text, reply_markup=turn.menu.keyboard(turn.user, turn.i18n))


async def got_text(message: Message, turn: Turn, account: TelegramAccount) -> None:
    building = await building_from_text(message, turn.session, Goal.SUBSCRIBE)
    if building is not None:
        await _subscribe(turn, account, building)


async def got_location(message: Message, session: AsyncSession) -> None:
    await offer_nearest(message, session, Goal.SUBSCRIBE)


async def picked(
    query: CallbackQuery, callback_data: AddressCallback, turn: Turn, account: TelegramAccount
) -> None:
    # Following an address is idempotent, so a press on an old list still means what it says.
    building = await turn.session.get(Building, callback_data.id)
    if building is None:
        await alert(query, _("This address is no longer in the register."))
        return
    await query.answer()
    await _subscribe(turn, account, building)


async def drop(
    query: CallbackQuery,
    callback_data: UnsubscribeCallback,
    bot: Bot,
    session: AsyncSession,
    account: TelegramAccount,
) -> None:
    building = await session.get(Building, callback_data.id)
    removed = await unsubscribe(session, account.id, callback_data.id)
    if removed and building is not None:
        await query.answer(_("You no longer follow %(address)s.") % {"address": address(building)})
    else:
        await query.answer(_("You did not follow this address."))
    text, markup = _list_view(list(await subscriptions_of(session, account.id)))
    await show_in_place(query, bot, text, markup)


def create_router() -> Router:
    router = Router(name="resident_addresses")
    router.message.register(show_addresses, MenuButton(MY_ADDRESSES.key))
    router.message.register(got_location, SubscribeForm.address, F.location)
    router.message.register(got_text, SubscribeForm.address, F.text, NotMenuButton())
    router.message.register(address_expected, SubscribeForm.address, ~F.text)
    router.callback_query.register(picked, AddressCallback.filter((F.goal == Goal.SUBSCRIBE) & (F.id > 0)))
    router.callback_query.register(drop, UnsubscribeCallback.filter())
    return router
