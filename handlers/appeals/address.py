"""Step 3: the address — typed, or a shared location answered with the nearest registered building."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import Translated
from bot.messages import outdated, settle
from bot.texts import quote
from bot.turn import Turn
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.states import AppealForm
from handlers.appeals.steps import SKIP, address_prompt, after, cancel_keyboard, form_button, form_markup
from models import Building
from services.addresses import find_building, nearest_building

ADDRESS_LIMIT = 500  # Appeal.address


def building_address(building: Building) -> str:
    return f"{building.street}, {building.house}"


async def _accept(turn: Turn, note: str) -> None:
    # A plain message restores the conversation keyboard (the address keyboard is not needed now).
    await turn.bot.send_message(turn.chat_id, note, reply_markup=cancel_keyboard())
    await after(turn, AppealForm.address)


async def typed(message: Message, turn: Turn, state: FSMContext, session: AsyncSession) -> None:
    address = " ".join((message.text or "").split())
    if len(address) > ADDRESS_LIMIT:
        await message.answer(
            _("The address is too long: at most %(n)d characters.") % {"n": ADDRESS_LIMIT}
            + "\n\n"
            + address_prompt()
        )
        return
    building = await find_building(session, address)
    await state.update_data(address=address, building_id=building.id if building else None, offer=None)
    await _accept(turn, _("Address: %(address)s") % {"address": quote(address)})


async def location(message: Message, state: FSMContext, session: AsyncSession) -> None:
    point = message.location
    assert point is not None  # guaranteed by the filter
    await state.update_data(latitude=point.latitude, longitude=point.longitude, offer=None)
    found = await nearest_building(session, point.latitude, point.longitude)
    if found is None:
        await message.answer(
            _(
                "The location is saved, but there is no registered building near this point. "
                "Type the address, or tap «%(skip)s» to send the location alone."
            )
            % {"skip": _(SKIP)}
        )
        return
    building, distance = found
    # The offer is kept in the draft: the «Yes» button carries no id that could be forged.
    await state.update_data(offer=building.id)
    await message.answer(
        _("The nearest building is <b>%(address)s</b> (about %(m)d m from the point). Is this the address?")
        % {"address": quote(building_address(building)), "m": round(distance)},
        reply_markup=form_markup(
            [
                form_button(_("✅ Yes"), FormAct.ADDRESS_YES),
                form_button(_("✏️ No, I will type it"), FormAct.ADDRESS_NO),
            ]
        ),
    )


async def offer_yes(query: CallbackQuery, turn: Turn, state: FSMContext, session: AsyncSession) -> None:
    offer = (await state.get_data()).get("offer")
    building = await session.get(Building, offer) if isinstance(offer, int) else None
    if building is None:
        await outdated(query)
        return
    address = building_address(building)
    await state.update_data(address=address, building_id=building.id, offer=None)
    await query.answer()
    await settle(query, _("Address: %(address)s") % {"address": quote(address)})
    await after(turn, AppealForm.address)


async def offer_no(query: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(offer=None)
    await query.answer()
    await settle(
        query,
        _("Please type the address, or tap «%(skip)s»: the location is kept.") % {"skip": _(SKIP)},
    )


async def skip(message: Message, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    await state.update_data(address=None, building_id=None, offer=None)
    note = _("Without an address.") if data.get("latitude") is None else _("Only the location is sent.")
    await _accept(turn, note)


async def hint(message: Message) -> None:
    await message.answer(_("I am waiting for the address.") + "\n\n" + address_prompt())


def create_router() -> Router:
    router = Router(name="appeals.address")
    router.message.register(skip, AppealForm.address, Translated(SKIP))
    router.message.register(typed, AppealForm.address, F.text, ~F.text.startswith("/"))
    router.message.register(location, AppealForm.address, F.location)
    router.callback_query.register(
        offer_yes, AppealForm.address, AppealFormCallback.filter(F.act == FormAct.ADDRESS_YES)
    )
    router.callback_query.register(
        offer_no, AppealForm.address, AppealFormCallback.filter(F.act == FormAct.ADDRESS_NO)
    )
    router.message.register(hint, AppealForm.address)
    return router
