"""«Outages by address»: what is cut off now (or planned ahead) at the resident's addresses."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import alert
from bot.turn import Turn
from handlers.residents.callbacks import AddressCallback, Goal, OtherAddressCallback
from handlers.residents.lookup import NotMenuButton, address_expected, building_from_text, offer_nearest
from handlers.residents.states import OutagesForm
from handlers.residents.texts import format_hint, location_keyboard, outages_block
from models import Building, TelegramAccount, utcnow
from services.notify import NoticeContext
from services.outages.lifecycle import outages_at_building
from services.outages.subscriptions import subscriptions_of

OUTAGES = MenuItem(
    "resident_outages",
    N_("Outages by address"),
    residents=True,
    hint=N_("current and planned outages at an address"),
    order=41,
)
MESSAGE_BUDGET = 3500  # characters per message, well under Telegram's 4096


async def _block(session: AsyncSession, building: Building, ctx: NoticeContext) -> str:
    now = utcnow()
    return outages_block(building, await outages_at_building(session, building.id, now), ctx, now)


def _other_address() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🔎 Another address"), callback_data=OtherAddressCallback())
    return builder.as_markup()


async def _ask_address(bot: Bot, chat_id: int, state: FSMContext, lead: str) -> None:
    await state.set_state(OutagesForm.address)
    await bot.send_message(
        chat_id,
        lead + "\n" + _("Type the address or share your location.") + "\n" + format_hint(),
        reply_markup=location_keyboard(),
    )


async def show_outages(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    notice_ctx: NoticeContext,
) -> None:
    await state.clear()
    buildings = await subscriptions_of(session, account.id)
    if not buildings:
        await _ask_address(bot, message.chat.id, state, _("Which address should I check?"))
        return
    # One message per few addresses: twenty followed houses must not overflow one message.
    chunks: list[list[str]] = [[_("<b>Outages at your addresses</b>")]]
    size = 0
    for b in buildings:
        block = await _block(session, b, notice_ctx)
        if size + len(block) > MESSAGE_BUDGET:
            chunks.append([])
            size = 0
        chunks[-1].append(block)
        size += len(block)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        await message.answer("\n\n".join(chunk), reply_markup=_other_address() if last else None)


async def other_address(query: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await query.answer()
    await _ask_address(bot, query.from_user.id, state, _("Which address should I check?"))


async def _answer(turn: Turn, building: Building) -> None:
    if turn.state is not None and await turn.state.get_state() == OutagesForm.address.state:
        await turn.state.clear()
    await turn.bot.send_message(
        turn.chat_id,
        await _block(turn.session, building, turn.notice_ctx),
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )


async def got_text(message: Message, turn: Turn) -> None:
    building = await building_from_text(message, turn.session, Goal.OUTAGES)
    if building is not None:
        await _answer(turn, building)


async def got_location(message: Message, session: AsyncSession) -> None:
    await offer_nearest(message, session, Goal.OUTAGES)


async def picked(query: CallbackQuery, callback_data: AddressCallback, turn: Turn) -> None:
    # Looking up a house changes nothing, so a press on an old list is still answered.
    building = await turn.session.get(Building, callback_data.id)
    if building is None:
        await alert(query, _("This address is no longer in the register."))
        return
    await query.answer()
    await _answer(turn, building)


def create_router() -> Router:
    router = Router(name="resident_outages")
    router.message.register(show_outages, MenuButton(OUTAGES.key))
    router.message.register(got_location, OutagesForm.address, F.location)
    router.message.register(got_text, OutagesForm.address, F.text, NotMenuButton())
    router.message.register(address_expected, OutagesForm.address, ~F.text)
    router.callback_query.register(other_address, OtherAddressCallback.filter())
    router.callback_query.register(picked, AddressCallback.filter((F.goal == Goal.OUTAGES) & (F.id > 0)))
    return router
