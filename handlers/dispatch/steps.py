"""The conversation's prompts and its draft in FSM data, shared by the step handlers.

Each ``ask_*`` sets its state and sends its prompt, so a handler finishing one step calls the next.
The draft holds only ids and plain values; buildings are reloaded whenever they are shown or used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.cards import draft_org_name, record_lines
from handlers.dispatch.common import from_iso, ids
from handlers.dispatch.states import Mode, OutageForm
from models import Building, Outage, utcnow
from models.enums import OutageKind
from services.addresses import street_houses
from services.notify import Translator, html_escape
from services.outages import lifecycle
from services.outages.card import OutageView, outage_text
from services.outages.resources import Resource, enabled_resources

HOUSE_EXAMPLES = "1-15, 2-20 чёт, 5, 7, 9к1"


def resources_of(settings: object) -> tuple[Resource, ...]:
    return enabled_resources(getattr(settings, "outage_resources", None))


async def load_buildings(session: AsyncSession, building_ids: Sequence[int]) -> list[Building]:
    if not building_ids:
        return []
    rows = (await session.scalars(select(Building).where(Building.id.in_(list(building_ids))))).all()
    return sorted(
        rows, key=lambda b: (b.street_key, b.house_number is None, b.house_number or 0, b.house_key)
    )


def done_label(mode: str, t: Translator) -> str:
    if mode == Mode.ADD:
        return t("➕ Add the chosen houses")
    if mode == Mode.REMOVE:
        return t("➖ Remove the chosen houses")
    return t("➡️ Done, next step")


async def ask_kind(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(OutageForm.kind)
    await turn.bot.send_message(
        turn.chat_id, t("<b>New outage</b>"), reply_markup=keyboards.cancel_keyboard(t)
    )
    await turn.bot.send_message(
        turn.chat_id, t("Is it an emergency or a planned outage?"), reply_markup=keyboards.kinds_markup(t)
    )


async def ask_resource(turn: Turn, settings: object) -> None:
    t = turn.t
    await turn.fsm.set_state(OutageForm.resource)
    await turn.bot.send_message(
        turn.chat_id,
        t("What is cut off?"),
        reply_markup=keyboards.resources_markup(resources_of(settings), t),
    )


def addresses_prompt(mode: str, t: Translator) -> str:
    if mode == Mode.REMOVE:
        return t("Choose the street, then tap the houses that are no longer affected.")
    return t(
        "Type a street name. Then tap houses, «Whole street», or type house numbers: %(examples)s. "
        "Repeat for more streets.",
        examples=HOUSE_EXAMPLES,
    )


async def ask_addresses(turn: Turn) -> None:
    """The address step; removing houses starts from the outage's own streets."""
    t, state = turn.t, turn.fsm
    await state.set_state(OutageForm.addresses)
    data = await state.get_data()
    mode = str(data.get("mode") or Mode.NEW)
    chosen = ids(data.get("buildings"))
    text = addresses_prompt(mode, t)
    if chosen:
        text += "\n\n" + t("Houses chosen: %(n)s", n=len(chosen))
    markup = None
    if mode == Mode.REMOVE:
        markup = keyboards.streets_markup(
            first_per_street(await lifecycle.buildings_of(turn.session, int(data["outage_id"])))
        )
    elif chosen:
        markup = keyboards.done_markup(done_label(mode, t))
    await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)


def first_per_street(buildings: Sequence[Building]) -> list[Building]:
    seen: dict[str, Building] = {}
    for b in buildings:
        seen.setdefault(b.street_key, b)
    return list(seen.values())


async def street_universe(session: AsyncSession, data: dict[str, object], anchor: Building) -> list[Building]:
    """The houses the picker offers on the anchor's street (removal: only the outage's ones)."""
    houses = await street_houses(session, anchor.street_key)
    if data.get("mode") == Mode.REMOVE:
        current = set(await lifecycle.current_building_ids(session, int(str(data["outage_id"]))))
        houses = [h for h in houses if h.id in current]
    return houses


def picker_text(street: str, houses: Sequence[Building], chosen: set[int], t: Translator) -> str:
    on_street = sum(1 for h in houses if h.id in chosen)
    return "\n".join(
        [
            f"<b>{html_escape(street)}</b>",
            t("On this street: %(n)s of %(total)s chosen", n=on_street, total=len(houses)),
            t("Houses chosen in all: %(n)s", n=len(chosen)),
            "",
            t("Tap houses, or type numbers (%(examples)s), or type another street.", examples=HOUSE_EXAMPLES),
        ]
    )


TIME_EXAMPLES = "«14:30», «24.11 9:00», «24.11.2026 09:00»"


def time_prompt(which: str, kind: str, t: Translator) -> str:
    if which == "start":
        return t(
            "When did (or will) the outage start? Pick below or type it: %(examples)s.",
            examples=TIME_EXAMPLES,
        )
    if which == "extend":
        return t(
            "The new expected end? Pick below (counted from the current one) or type it: %(examples)s.",
            examples=TIME_EXAMPLES,
        )
    text = t(
        "When is the supply expected back? Pick below (counted from the start) or type it: %(examples)s.",
        examples=TIME_EXAMPLES,
    )
    if kind == OutageKind.ACCIDENT:
        text += "\n" + t("If it is not known yet, tap «Not known yet».")
    return text


async def time_base(turn: Turn, which: str) -> datetime:
    """What the quick picks count from, in local time: now (start), the start (end), the current
    expected end if it is ahead (extend, ``outage_id`` in the conversation), else now."""
    ctx = turn.notice_ctx
    now = ctx.local(utcnow())
    data = await turn.fsm.get_data()
    if which == "end":
        start = from_iso(data.get("starts_at"))
        return ctx.local(start) if start is not None else now
    if which == "extend":
        outage = await turn.session.get(Outage, int(str(data.get("outage_id"))))
        end = outage.expected_end_at if outage is not None else None
        return ctx.local(end) if end is not None and ctx.local(end) > now else now
    return now


async def ask_time(turn: Turn, which: str) -> None:
    """``which``: ``start``, ``end`` (of a new outage) or ``extend`` (a published one)."""
    t, state = turn.t, turn.fsm
    await state.set_state(OutageForm.start if which == "start" else OutageForm.end)
    kind = str((await state.get_data()).get("kind") or "")
    skip = which == "end" and kind == OutageKind.ACCIDENT
    markup = keyboards.times_markup(which, t, base=await time_base(turn, which), skip=skip)
    await turn.bot.send_message(turn.chat_id, time_prompt(which, kind, t), reply_markup=markup)


async def ask_description(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(OutageForm.description)
    await turn.bot.send_message(
        turn.chat_id,
        t("Describe the outage for the residents (the cause, where to get water…), or tap «No description»."),
        reply_markup=keyboards.description_markup(t),
    )


def draft_view(data: dict[str, object], buildings: Sequence[Building]) -> OutageView:
    return OutageView(
        kind=str(data.get("kind") or OutageKind.ACCIDENT),
        resource=str(data.get("resource") or ""),
        buildings=buildings,
        starts_at=from_iso(data.get("starts_at")),
        expected_end_at=from_iso(data.get("expected_end_at")),
        description=str(data.get("description") or ""),
    )


async def show_preview(turn: Turn) -> None:
    t, state, session = turn.t, turn.fsm, turn.session
    await state.set_state(OutageForm.preview)
    await state.update_data(editing=False)
    data = await state.get_data()
    chosen = ids(data.get("buildings"))
    buildings = await load_buildings(session, chosen)
    preview = await lifecycle.preview(session, chosen)
    text = outage_text(
        draft_view(data, buildings),
        t,
        turn.notice_ctx,
        title=t("New outage — check before publishing"),
        preview=preview,
    )
    kind = data.get("informant_kind")
    extra = record_lines(
        str(data.get("cause") or ""),
        kind if isinstance(kind, str) else None,
        str(data.get("informant_text") or "") or None,
        await draft_org_name(session, data),
        t,
    )
    if extra:
        text += "\n\n" + "\n".join(extra)
    if data.get("mode") == Mode.SIGNALS:
        text += "\n\n" + t("Residents' reports to link: %(n)s", n=len(ids(data.get("signal_ids"))))
    await turn.bot.send_message(turn.chat_id, text, reply_markup=keyboards.preview_markup(t))
