"""«New incident»: kind → place → informant → description → responsible organisation → preview → log.

Typed answers are checked here for length and form; the service checks everything again when the
incident is logged (the organisation still active, the building still there, the time not ahead).
"""

from __future__ import annotations

import re
from datetime import UTC

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message

from bot.messages import alert, drop_buttons, outdated, settle
from bot.turn import Turn
from handlers.incidents import keyboards
from handlers.incidents.callbacks import StepAct, StepCallback
from handlers.incidents.cards import send_card
from handlers.incidents.common import actor, as_int, as_str, db_id, from_iso, replace_buttons
from handlers.incidents.moments import parse_future, parse_past
from handlers.incidents.states import IncidentForm
from handlers.incidents.steps import (
    TIME_EXAMPLES,
    ask_description,
    ask_expected_end,
    ask_informant_name,
    ask_informant_org,
    ask_kind,
    ask_place,
    ask_received_at,
    ask_responsible,
    informant_org_missing,
    offered_for_draft,
    show_preview,
)
from models import utcnow
from models.enums import IncidentKind, InformantKind
from services.errors import DomainError, NotFound
from services.incidents import journal, update_notices
from services.incidents.kinds import informant_name, kind_label
from services.incidents.updates import Target
from services.notify import html_escape
from services.partners.members import active_organisation, active_organisations

NAME_LIMIT = journal.NAME_LIMIT
PHONE_LIMIT = 32
_PHONE = re.compile(r"\+?\d[\d\s()\-]{4,}\d")


def split_contact(text: str) -> tuple[str, str | None]:
    """«Иванова Анна, +7 900 123-45-67» → («Иванова Анна», «+7 900 123-45-67»)."""
    match = _PHONE.search(text)
    if match is None:
        return text.strip(" ,;"), None
    name = (text[: match.start()] + " " + text[match.end() :]).strip(" ,;")
    return " ".join(name.split()), " ".join(match.group().split())


async def start(message: Message, turn: Turn) -> None:
    await turn.fsm.clear()
    await turn.fsm.update_data(received_at=utcnow().replace(second=0, microsecond=0).isoformat())
    await ask_kind(turn, turn.t("<b>New incident</b>"))


async def kind(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    if callback_data.value not in set(IncidentKind):
        await outdated(query)
        return
    await turn.fsm.update_data(kind=callback_data.value)
    await query.answer()
    await settle(query, turn.t("Kind: %(kind)s", kind=kind_label(callback_data.value, turn.t)))
    await ask_place(turn)


async def informant(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    value = callback_data.value
    if value not in set(InformantKind):
        await outdated(query)
        return
    await turn.fsm.update_data(informant_kind=value, informant_org=None)
    await query.answer()
    await settle(query, turn.t("Informant: %(who)s", who=informant_name(value, turn.t)))
    if value == InformantKind.ORGANISATION:
        await ask_informant_org(turn)
    elif value == InformantKind.DISPATCHER:
        await ask_description(turn)
    else:
        await ask_informant_name(turn)


async def org_picked(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    t, state = turn.t, turn.fsm
    org_id = db_id(callback_data.value)
    try:
        if org_id is None:
            raise NotFound("Organisation not found.")
        org = await active_organisation(turn.session, org_id)
    except DomainError:
        await alert(query, t("This organisation is no longer in the directory."))
        return
    await query.answer()
    if await state.get_state() == IncidentForm.informant_org.state:
        await state.update_data(informant_org=org.id)
        await settle(query, t("Reported by: %(org)s", org=html_escape(org.name)))
        await ask_informant_name(turn)
        return
    await state.update_data(responsible=org.id)
    await settle(query, t("Responsible: %(org)s", org=html_escape(org.name)))
    await show_preview(turn)


async def org_page(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    t = turn.t
    page = int(callback_data.value) if callback_data.value.isdigit() else 0
    responsible = await turn.fsm.get_state() == IncidentForm.responsible.state
    orgs, marked = (
        await offered_for_draft(turn)
        if responsible
        else (list(await active_organisations(turn.session)), set())
    )
    await query.answer()
    none_label = t("Without an organisation") if responsible else informant_org_missing(t)
    await replace_buttons(
        query, keyboards.step_orgs_markup(orgs, page, t, none_label=none_label, marked=marked)
    )


async def no_org(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    if await turn.fsm.get_state() == IncidentForm.informant_org.state:
        await turn.fsm.update_data(informant_org=None)
        await drop_buttons(query)
        await ask_informant_name(turn)
        return
    await turn.fsm.update_data(responsible=None)
    await settle(query, turn.t("Responsible: %(org)s", org=turn.t("none")))
    await show_preview(turn)


async def name_typed(message: Message, turn: Turn) -> None:
    t = turn.t
    name, phone = split_contact(message.text or "")
    if len(name) > NAME_LIMIT or len(phone or "") > PHONE_LIMIT:
        await message.answer(
            t("The name is too long: at most %(n)s characters. Please shorten it.", n=NAME_LIMIT)
        )
        return
    await turn.fsm.update_data(informant_name=name or None, informant_phone=phone)
    await ask_description(turn)


async def name_skipped(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await ask_description(turn)


async def description_typed(message: Message, turn: Turn) -> None:
    t, text = turn.t, (message.text or "").strip()
    if len(text) > journal.TEXT_LIMIT:
        await message.answer(
            t("The text is too long: at most %(n)s characters. Please shorten it.", n=journal.TEXT_LIMIT)
        )
        return
    await turn.fsm.update_data(description=text)
    await ask_responsible(turn)


async def signal_text(query: CallbackQuery, turn: Turn) -> None:
    text = as_str((await turn.fsm.get_data()).get("signal_text"))
    if text is None:
        await outdated(query)
        return
    await query.answer()
    await drop_buttons(query)
    await turn.fsm.update_data(description=text[: journal.TEXT_LIMIT])
    await ask_responsible(turn)


def _draft(data: dict[str, object]) -> journal.NewIncident:
    lat, lon = data.get("lat"), data.get("lon")
    signal_ids = data.get("signal_ids")
    return journal.NewIncident(
        kind=str(data.get("kind") or ""),
        received_at=from_iso(data.get("received_at")) or utcnow(),
        informant_kind=str(data.get("informant_kind") or ""),
        description=str(data.get("description") or ""),
        informant_name=as_str(data.get("informant_name")),
        informant_phone=as_str(data.get("informant_phone")),
        informant_organisation_id=as_int(data.get("informant_org")),
        informant_telegram_id=as_int(data.get("informant_telegram")),
        building_id=as_int(data.get("building")),
        address_text=as_str(data.get("address_text")),
        latitude=lat if isinstance(lat, float) else None,
        longitude=lon if isinstance(lon, float) else None,
        responsible_organisation_id=as_int(data.get("responsible")),
        expected_end_at=from_iso(data.get("expected_end_at")),
        signal_ids=tuple(i for i in signal_ids if isinstance(i, int)) if isinstance(signal_ids, list) else (),
    )


async def log(query: CallbackQuery, turn: Turn) -> None:
    t, state, session = turn.t, turn.fsm, turn.session
    try:
        incident = await journal.log_incident(
            session, actor(turn), _draft(await state.get_data()), tz=turn.notice_ctx.tz
        )
    except DomainError as exc:
        await alert(query, exc)
        return
    note = ""
    if incident.responsible_organisation_id is not None:
        sent = await update_notices.notify_assigned(session, turn.notice_ctx, Target("incident", incident.id))
        note = t("Cards sent to the organisation's people: %(n)s", n=sent)
    await state.clear()
    await query.answer(t("Done."))
    await drop_buttons(query)
    await turn.bot.send_message(
        turn.chat_id,
        t("Logged in the journal under № %(number)s.", number=incident.journal_number),
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )
    await send_card(turn, incident, note)


async def cancel(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.clear()
    await query.answer()
    await drop_buttons(query)
    await turn.bot.send_message(
        turn.chat_id,
        turn.t("The incident is not logged."),
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )


async def edit_time(query: CallbackQuery, callback_data: StepCallback, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    if callback_data.act == StepAct.EDIT_END:
        await ask_expected_end(turn)
    else:
        await ask_received_at(turn)


async def time_typed(message: Message, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    now = ctx.local(utcnow())
    moment = parse_past(message.text or "", now)
    if moment is None:
        await message.answer(
            t("I could not read a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
        )
        return
    if moment > now:
        await message.answer(t("The time received cannot be in the future."))
        return
    await turn.fsm.update_data(received_at=moment.astimezone(UTC).isoformat())
    await message.answer(t("Received: %(when)s", when=ctx.format_dt(moment)))
    await show_preview(turn)


async def end_typed(message: Message, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    now = ctx.local(utcnow())
    moment = parse_future(message.text or "", now)
    if moment is None:
        await message.answer(
            t("I could not read a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
        )
        return
    received = from_iso((await turn.fsm.get_data()).get("received_at")) or now
    if moment <= now or moment <= received:
        await message.answer(t("The expected end must be in the future."))
        return
    await turn.fsm.update_data(expected_end_at=moment.astimezone(UTC).isoformat())
    await message.answer(t("Expected end: %(when)s", when=ctx.format_dt(moment)))
    await show_preview(turn)


async def buttons_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please tap one of the buttons above. To cancel, send /cancel."))


async def text_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please answer with a text message. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="incidents.new")
    on = router.callback_query.register
    on(kind, IncidentForm.kind, StepCallback.filter(F.act == StepAct.KIND))
    on(informant, IncidentForm.informant, StepCallback.filter(F.act == StepAct.INFORMANT))
    orgs = StateFilter(IncidentForm.informant_org, IncidentForm.responsible)
    on(org_picked, orgs, StepCallback.filter(F.act == StepAct.ORG))
    on(org_page, orgs, StepCallback.filter(F.act == StepAct.ORG_PAGE))
    on(no_org, orgs, StepCallback.filter(F.act == StepAct.NO_ORG))
    on(name_skipped, IncidentForm.informant_name, StepCallback.filter(F.act == StepAct.SKIP))
    on(signal_text, IncidentForm.description, StepCallback.filter(F.act == StepAct.SIGNAL_TEXT))
    on(log, IncidentForm.preview, StepCallback.filter(F.act == StepAct.LOG))
    on(edit_time, IncidentForm.preview, StepCallback.filter(F.act.in_({StepAct.EDIT_TIME, StepAct.EDIT_END})))
    on(cancel, IncidentForm.preview, StepCallback.filter(F.act == StepAct.CANCEL))
    text = (F.text, ~F.text.startswith("/"))
    router.message.register(name_typed, IncidentForm.informant_name, *text)
    router.message.register(description_typed, IncidentForm.description, *text)
    router.message.register(time_typed, IncidentForm.received_at, *text)
    router.message.register(end_typed, IncidentForm.expected_end, *text)
    for st in (
        IncidentForm.informant_name,
        IncidentForm.description,
        IncidentForm.received_at,
        IncidentForm.expected_end,
    ):
        router.message.register(text_expected, st)
    for st in (
        IncidentForm.kind,
        IncidentForm.informant,
        IncidentForm.informant_org,
        IncidentForm.responsible,
        IncidentForm.preview,
    ):
        router.message.register(buttons_expected, st)
    return router
