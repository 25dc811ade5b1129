"""The place of a new incident: a typed address from the register, a shared location (a map point and
the nearest building), or a place off the register described in words («км 12 трассы»)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.messages import alert, outdated, settle
from bot.turn import Turn
from handlers.incidents import keyboards
from handlers.incidents.callbacks import StepAct, StepCallback
from handlers.incidents.common import db_id
from handlers.incidents.states import IncidentForm
from handlers.incidents.steps import PLACE_EXAMPLES, ask_informant
from models import Building
from services.addresses import nearest_building, parse_address, search_buildings
from services.html_cut import cut_plain
from services.notify import html_escape
from services.outages.notices import address

PLACE_LIMIT = 500
CHOICE_LIMIT = 6
# Far enough for a GPS fix taken in the yard, near enough not to land on the next block.
NEAREST_RADIUS_M = 200.0


async def _take(turn: Turn, *, building: Building | None, text: str | None) -> None:
    """The place is known: the building (or None) and the description (or None); a shared map
    point stays in the data as it was."""
    await turn.fsm.update_data(
        building=building.id if building is not None else None, address_text=text, free_place=False
    )
    place = address(building) if building is not None else text or turn.t("map point")
    await turn.bot.send_message(turn.chat_id, turn.t("Place: %(place)s", place=html_escape(place)))
    await ask_informant(turn)


async def typed(message: Message, turn: Turn) -> None:
    t, state, text = turn.t, turn.fsm, (message.text or "").strip()
    if len(text) > PLACE_LIMIT:
        await message.answer(
            t("The place is too long: at most %(n)s characters. Please shorten it.", n=PLACE_LIMIT)
        )
        return
    data = await state.get_data()
    if data.get("free_place"):
        await _take(turn, building=None, text=text)
        return
    await state.update_data(raw=text)
    if parse_address(text) is None:
        await message.answer(
            t(
                "«%(text)s» has no house number, so it is not an address from the register. "
                "Record it as the place described in words, or type the street and house.",
                text=cut_plain(text, 200),
            ),
            reply_markup=keyboards.buildings_markup([], t, raw=True),
        )
        return
    found = await search_buildings(turn.session, text, limit=CHOICE_LIMIT)
    parsed = parse_address(text)
    if found and (
        len(found) == 1
        or (
            parsed is not None
            and (found[0].street_key, found[0].house_key) == (parsed.street_key, parsed.house_key)
        )
    ):
        await _take(turn, building=found[0], text=None)
        return
    if not found:
        answer = t("The address «%(text)s» is not in the register of buildings.", text=cut_plain(text, 200))
    else:
        answer = t("Several buildings match «%(text)s». Choose one:", text=cut_plain(text, 200))
    await message.answer(answer, reply_markup=keyboards.buildings_markup(found, t, raw=True))


async def location(message: Message, turn: Turn) -> None:
    t, point = turn.t, message.location
    assert point is not None  # guaranteed by the F.location filter
    await turn.fsm.update_data(lat=point.latitude, lon=point.longitude)
    found = await nearest_building(
        turn.session, point.latitude, point.longitude, max_distance_m=NEAREST_RADIUS_M
    )
    if found is None:
        await message.answer(
            t("No building from the register is near this point; the map point is recorded.")
        )
        await _take(turn, building=None, text=None)
        return
    building, distance = found
    await message.answer(
        t(
            "The nearest building is %(address)s (about %(m)s m away). Record the incident at it?",
            address=html_escape(address(building)),
            m=max(10, round(distance / 10) * 10),
        ),
        reply_markup=keyboards.nearest_markup(building, t),
    )


async def pressed(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    t, state, act = turn.t, turn.fsm, callback_data.act
    data = await state.get_data()
    if act == StepAct.BUILDING:
        building_id = db_id(callback_data.value)
        building = await turn.session.get(Building, building_id) if building_id else None
        if building is None:
            await alert(query, t("This address is no longer in the register."))
            return
        await query.answer()
        await settle(query, t("Place: %(place)s", place=html_escape(address(building))))
        await _take_quiet(turn, building=building, text=None)
    elif act == StepAct.POINT_ONLY and isinstance(data.get("lat"), float):
        await query.answer()
        await settle(query, t("Place: %(place)s", place=t("map point")))
        await _take_quiet(turn, building=None, text=None)
    elif act == StepAct.RAW_PLACE and data.get("raw"):
        raw = str(data["raw"])
        await query.answer()
        await settle(query, t("Place: %(place)s", place=cut_plain(raw, PLACE_LIMIT)))
        await state.update_data(lat=None, lon=None)
        await _take_quiet(turn, building=None, text=raw)
    elif act == StepAct.FREE_PLACE:
        await query.answer()
        await state.update_data(free_place=True)
        await turn.bot.send_message(
            turn.chat_id, t("Describe the place in words: %(examples)s.", examples=PLACE_EXAMPLES)
        )
    else:
        await outdated(query)


async def _take_quiet(turn: Turn, *, building: Building | None, text: str | None) -> None:
    """As :func:`_take`, the pressed message already saying which place was chosen."""
    await turn.fsm.update_data(
        building=building.id if building is not None else None, address_text=text, free_place=False
    )
    await ask_informant(turn)


async def expected(message: Message, turn: Turn) -> None:
    await message.answer(
        turn.t("Please type the address or the place, or share a location. To cancel, send /cancel.")
    )


def create_router() -> Router:
    router = Router(name="incidents.place")
    router.message.register(typed, IncidentForm.place, F.text, ~F.text.startswith("/"))
    router.message.register(location, IncidentForm.place, F.location)
    router.message.register(expected, IncidentForm.place)
    router.callback_query.register(
        pressed,
        IncidentForm.place,
        StepCallback.filter(
            F.act.in_({StepAct.BUILDING, StepAct.POINT_ONLY, StepAct.RAW_PLACE, StepAct.FREE_PLACE})
        ),
    )
    return router
