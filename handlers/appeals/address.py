"""Step 3: the address — typed, or a shared location answered with the nearest registered building.

A typed address goes through the register's search as «My addresses» and outage reports use it
(``services.addresses.search_buildings``, typo-tolerant): the exact house is taken in the register's
spelling («Ленина 5» → «ул. Ленина, 5») with the building linked; similar houses are offered as
buttons, with «keep it as typed»; an address not in the register is taken as typed (an appeal may
concern a place outside it). The offered ids are kept in the draft: a press naming another id is
refused.
"""

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
from services.addresses import nearest_building, parse_address, search_buildings
from services.html_cut import cut_plain

ADDRESS_LIMIT = 500  # Appeal.address
CHOICE_LIMIT = 8  # houses offered for one typed address, as in the residents' address step


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
    parsed = parse_address(address)
    # Without a house number (a street, a park) there is no house to look for.
    found = await search_buildings(session, address, limit=CHOICE_LIMIT) if parsed is not None else []
    for building in found:
        if parsed is not None and (building.street_key, building.house_key) == (
            parsed.street_key,
            parsed.house_key,
        ):
            await _take_building(turn, building)
            return
    if not found:
        # Not a house of the register (or no house number at all): the appeal keeps it as typed.
        await state.update_data(address=address, building_id=None, offer=None, choices=None)
        await _accept(turn, _("Address: %(address)s") % {"address": quote(address)})
        return
    # Similar houses («Ленена 5», «Ленина 5а» when the register has «5к1»): the resident decides.
    await state.update_data(choices=[b.id for b in found], typed_address=address, offer=None)
    rows = [[form_button(building_address(b), FormAct.ADDRESS_PICK, str(b.id))] for b in found]
    rows.append([form_button(_("Keep it as I typed it"), FormAct.ADDRESS_AS_TYPED)])
    await message.answer(
        _("Is it one of these addresses from the register? Choose it, or keep «%(text)s» as you typed it.")
        % {"text": cut_plain(address, 200)},
        reply_markup=form_markup(*rows),
    )


async def _take_building(turn: Turn, building: Building) -> None:
    address = building_address(building)
    await turn.fsm.update_data(address=address, building_id=building.id, offer=None, choices=None)
    await _accept(turn, _("Address: %(address)s") % {"address": quote(address)})


async def picked(
    query: CallbackQuery,
    callback_data: AppealFormCallback,
    turn: Turn,
    state: FSMContext,
    session: AsyncSession,
) -> None:
    choices = (await state.get_data()).get("choices") or []
    chosen = int(callback_data.value) if callback_data.value.isdigit() else None
    building = await session.get(Building, chosen) if chosen in choices else None
    if building is None:
        await outdated(query)
        return
    await _building_taken(query, turn, state, building)


async def as_typed(query: CallbackQuery, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    address = data.get("typed_address")
    if not data.get("choices") or not isinstance(address, str) or not address:
        await outdated(query)
        return
    await state.update_data(address=address, building_id=None, offer=None, choices=None, typed_address=None)
    await query.answer()
    await settle(query, _("Address: %(address)s") % {"address": quote(address)})
    await after(turn, AppealForm.address)


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
    await _building_taken(query, turn, state, building)


async def _building_taken(query: CallbackQuery, turn: Turn, state: FSMContext, building: Building) -> None:
    """A house of the register chosen with a button (among similar ones, or the one nearest a point)."""
    address = building_address(building)
    await state.update_data(address=address, building_id=building.id, offer=None, choices=None)
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
    await state.update_data(address=None, building_id=None, offer=None, choices=None)
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
    router.callback_query.register(
        picked, AppealForm.address, AppealFormCallback.filter(F.act == FormAct.ADDRESS_PICK)
    )
    router.callback_query.register(
        as_typed, AppealForm.address, AppealFormCallback.filter(F.act == FormAct.ADDRESS_AS_TYPED)
    )
    router.message.register(hint, AppealForm.address)
    return router
