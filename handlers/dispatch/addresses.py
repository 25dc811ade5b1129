"""The address step: type a street, then tap houses, «whole street», or type numbers; repeatable.

The chosen houses are one set of building ids in the FSM data, across streets; a picker press
carries a building id only, and the building (and, when removing, the outage) is reloaded.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert, outdated, settle, show_in_place
from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.callbacks import HouseAct, HouseCallback, StepAct, StepCallback
from handlers.dispatch.common import ids
from handlers.dispatch.finish import addresses_done
from handlers.dispatch.parsing import HouseSpan, HouseSpec, parse_houses, spec_label
from handlers.dispatch.states import Mode, OutageForm
from handlers.dispatch.steps import addresses_prompt, done_label, picker_text, street_universe
from models import Building
from services.addresses import normalize_street, parse_address, parse_range
from services.addresses.streets import find_streets
from services.html_cut import cut_plain
from services.notify import Translator, html_escape
from services.outages import lifecycle


def matches(spec: HouseSpec, house: Building) -> bool:
    return spec.covers(house.house_number) if isinstance(spec, HouseSpan) else house.house_key == spec


async def _picker(
    session: AsyncSession, state: FSMContext, anchor: Building, t: Translator, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    data = await state.get_data()
    houses = await street_universe(session, data, anchor)
    chosen = set(ids(data.get("buildings")))
    markup = keyboards.houses_markup(houses, chosen, page, t, done_label=done_label(str(data.get("mode")), t))
    return picker_text(anchor.street, houses, chosen, t), markup


async def open_street(turn: Turn, anchor: Building, note: str = "") -> None:
    state = turn.fsm
    await state.update_data(street=anchor.id)
    text, markup = await _picker(turn.session, state, anchor, turn.t)
    await turn.bot.send_message(turn.chat_id, (note + "\n\n" if note else "") + text, reply_markup=markup)


async def _apply(turn: Turn, anchor: Building, specs: Sequence[HouseSpec]) -> None:
    """Add the typed houses of the anchor's street to the choice; say which were not found."""
    t, state = turn.t, turn.fsm
    data = await state.get_data()
    houses = await street_universe(turn.session, data, anchor)
    chosen = ids(data.get("buildings"))
    missing = []
    for spec in specs:
        found = [h.id for h in houses if matches(spec, h)]
        if not found:
            missing.append(spec_label(spec))
        chosen += [i for i in found if i not in chosen]
    await state.update_data(buildings=chosen)
    note = t("Not found on this street: %(list)s", list=html_escape(", ".join(missing))) if missing else ""
    await open_street(turn, anchor, note)


async def _streets(session: AsyncSession, state: FSMContext, text: str) -> list[Building]:
    found = await find_streets(session, text)
    data = await state.get_data()
    if data.get("mode") == Mode.REMOVE and found:
        affected = {b.street_key for b in await lifecycle.buildings_of(session, int(str(data["outage_id"])))}
        found = [b for b in found if b.street_key in affected]
    return found


def _best(streets: list[Building], typed_key: str) -> Building | None:
    """The street meant without asking: the exact name, or the only candidate."""
    if len(streets) == 1 or (streets and streets[0].street_key == typed_key):
        return streets[0]
    return None


async def typed(message: Message, turn: Turn) -> None:
    t, state, session, text = turn.t, turn.fsm, turn.session, (message.text or "").strip()
    data = await state.get_data()
    specs = parse_houses(text)
    if specs is not None:
        anchor = await session.get(Building, data["street"]) if isinstance(data.get("street"), int) else None
        if anchor is None:
            await message.answer(t("First type the street, then the house numbers."))
            return
        await _apply(turn, anchor, specs)
        return
    # «Ленина 1-15 чёт» or «Ленина 5»: a street with houses in one message.
    span, address = parse_range(text), parse_address(text)
    street_text = span.street_key if span else address.street_key if address else text
    streets = await _streets(session, state, street_text)
    if not streets:
        await message.answer(
            t(
                "No street «%(text)s» in the register. Check the spelling and type it again.",
                text=cut_plain(text, 100),
            )
        )
        return
    best = _best(streets, normalize_street(street_text))
    if best is None:
        await message.answer(t("Which street do you mean?"), reply_markup=keyboards.streets_markup(streets))
        return
    if span is not None:
        await _apply(turn, best, [HouseSpan(span.first, span.last, span.parity)])
    elif address is not None:
        await _apply(turn, best, [address.house_key])
    else:
        await open_street(turn, best)


async def street_picked(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    t = turn.t
    anchor = (
        await turn.session.get(Building, int(callback_data.value)) if callback_data.value.isdigit() else None
    )
    if anchor is None:
        await alert(query, t("This address is no longer in the register."))
        return
    await query.answer()
    await settle(query, t("Street: %(name)s", name=html_escape(anchor.street)))
    await open_street(turn, anchor)


async def house_pressed(query: CallbackQuery, callback_data: HouseCallback, turn: Turn) -> None:
    t, act, state, session = turn.t, callback_data.act, turn.fsm, turn.session
    data = await state.get_data()
    chosen = ids(data.get("buildings"))
    if act == HouseAct.DONE:
        if not chosen:
            await alert(query, t("Choose at least one house."))
            return
        await query.answer()
        await settle(query, t("Houses chosen in all: %(n)s", n=len(chosen)))
        await addresses_done(turn)
        return
    anchor = await session.get(Building, callback_data.id)
    if anchor is None:
        await alert(query, t("This address is no longer in the register."))
        return
    houses = await street_universe(session, data, anchor)
    on_street = [h.id for h in houses]
    if act == HouseAct.TOGGLE:
        if anchor.id not in on_street:
            await alert(query, t("This house cannot be chosen here."))
            return
        chosen = [i for i in chosen if i != anchor.id] if anchor.id in chosen else [*chosen, anchor.id]
    elif act == HouseAct.ALL:
        chosen += [i for i in on_street if i not in chosen]
    elif act == HouseAct.NONE:
        chosen = [i for i in chosen if i not in set(on_street)]
    elif act != HouseAct.PAGE:
        await outdated(query)
        return
    await state.update_data(buildings=chosen, street=anchor.id)
    await query.answer()
    text, markup = await _picker(session, state, anchor, t, callback_data.page)
    await show_in_place(query, turn.bot, text, markup)


async def text_expected(message: Message, turn: Turn) -> None:
    t = turn.t
    mode = str((await turn.fsm.get_data()).get("mode") or Mode.NEW)
    await message.answer(
        t("I am waiting for a street or house numbers.") + "\n\n" + addresses_prompt(mode, t)
    )


def create_router() -> Router:
    router = Router(name="dispatch.addresses")
    router.message.register(typed, OutageForm.addresses, F.text, ~F.text.startswith("/"))
    router.message.register(text_expected, OutageForm.addresses)
    router.callback_query.register(
        street_picked, OutageForm.addresses, StepCallback.filter(F.act == StepAct.STREET)
    )
    router.callback_query.register(house_pressed, OutageForm.addresses, HouseCallback.filter())
    return router
