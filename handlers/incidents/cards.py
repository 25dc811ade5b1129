"""«Incidents»: the open ones, one incident's card and what a dispatcher does from it — an action
taken (told to residents or kept in the journal), handing it to an organisation, the cause, closing.

Every press reloads the incident and the services check the role and the status again, so a stale
card (closed meanwhile, by another dispatcher or in the panel) gets an alert and its current state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC

from aiogram import F, Router
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.messages import alert, drop_buttons, outdated, show_in_place
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.incidents import keyboards, render
from handlers.incidents.callbacks import CardAct, CardCallback
from handlers.incidents.common import actor, as_int, as_str, db_id, from_iso
from handlers.incidents.moments import leading_moment, parse_future
from handlers.incidents.reports import queue_view
from handlers.incidents.states import IncidentForm
from handlers.incidents.steps import TIME_EXAMPLES
from models import Incident, utcnow
from models.enums import IncidentStatus
from services.errors import DomainError, NotFound
from services.incidents import edits, journal, update_notices
from services.incidents.kinds import kind_label
from services.incidents.signals import incident_signal_queue
from services.incidents.updates import Target
from services.notify import NoticeContext, Translator, html_escape
from services.partners.areas import offered_organisations

OPEN_KEY = "incidents_open"


async def waiting_reports(session: AsyncSession) -> int:
    return sum(g.count for g in await incident_signal_queue(session))


async def list_view(
    session: AsyncSession, page: int, t: Translator, ctx: NoticeContext
) -> tuple[str, InlineKeyboardMarkup]:
    incidents = await journal.open_incidents(session)
    page, pages = keyboards.page_bounds(len(incidents), page, keyboards.LIST_PAGE)
    shown = incidents[page * keyboards.LIST_PAGE : (page + 1) * keyboards.LIST_PAGE]
    waiting = await waiting_reports(session)
    labels = {i.id: f"№ {i.journal_number} {kind_label(i.kind, t)}" for i in shown}
    text = render.list_text(shown, len(incidents), waiting, t, ctx)
    return text, keyboards.list_markup(shown, labels, page, pages, waiting, t)


async def card_view(turn: Turn, incident: Incident, note: str = "") -> tuple[str, InlineKeyboardMarkup]:
    text = await render.card_text(turn.session, incident, turn.t, turn.notice_ctx, note=note)
    return text, keyboards.card_markup(incident, turn.t)


async def send_card(turn: Turn, incident: Incident, note: str = "") -> None:
    text, markup = await card_view(turn, incident, note)
    await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)


async def show_list(message: Message, turn: Turn) -> None:
    await turn.fsm.clear()
    text, markup = await list_view(turn.session, 0, turn.t, turn.notice_ctx)
    await message.answer(text, reply_markup=markup)


async def back_to_menu(turn: Turn, text: str) -> None:
    await turn.fsm.clear()
    await turn.bot.send_message(turn.chat_id, text, reply_markup=turn.menu.keyboard(turn.user, turn.i18n))


# A press on an incident's card: the message, the turn, the reloaded incident, the press's data.
Action = Callable[[CallbackQuery, Turn, Incident, CardCallback], Awaitable[None]]


async def _open(query: CallbackQuery, turn: Turn, incident: Incident, data: CardCallback) -> None:
    await query.answer()
    await show_in_place(query, turn.bot, *await card_view(turn, incident))


def _ask(state: State, prompt: str) -> Action:
    """A press that waits for a typed answer about this incident."""

    async def ask(query: CallbackQuery, turn: Turn, incident: Incident, data: CardCallback) -> None:
        await query.answer()
        await turn.fsm.clear()
        await turn.fsm.set_state(state)
        await turn.fsm.update_data(incident_id=incident.id)
        title = turn.t("Incident № %(number)s", number=incident.journal_number)
        await turn.bot.send_message(
            turn.chat_id,
            f"<b>{html_escape(title)}</b>\n" + turn.t(prompt),
            reply_markup=keyboards.cancel_keyboard(turn.t),
        )

    return ask


async def _hand(query: CallbackQuery, turn: Turn, incident: Incident, data: CardCallback) -> None:
    t = turn.t
    orgs, marked = await offered_organisations(
        turn.session, [incident.building_id] if incident.building_id else []
    )
    if not orgs:
        await alert(query, t("There are no organisations in the directory yet."))
        return
    await query.answer()
    text = t(
        "Hand incident № %(number)s to which organisation? Its people get the card in the bot.",
        number=incident.journal_number,
    )
    await show_in_place(query, turn.bot, text, keyboards.hand_markup(incident, orgs, data.page, t, marked))


async def _hand_to(query: CallbackQuery, turn: Turn, incident: Incident, data: CardCallback) -> None:
    t, session = turn.t, turn.session
    try:
        if data.oid and db_id(data.oid) is None:
            raise NotFound("Organisation not found.")
        incident = await journal.set_responsible(session, actor(turn), incident.id, data.oid or None)
    except DomainError as exc:
        await alert(query, exc)
        return
    if incident.responsible_organisation_id is None:
        note = t("Taken back from the organisation.")
    else:
        sent = await update_notices.notify_assigned(session, turn.notice_ctx, Target("incident", incident.id))
        note = t(
            "Handed to %(org)s. Cards sent to its people: %(n)s",
            org=html_escape(await render.org_name(session, incident.responsible_organisation_id) or ""),
            n=sent,
        )
    await query.answer(t("Done."))
    await show_in_place(query, turn.bot, *await card_view(turn, incident, note))


async def _public(query: CallbackQuery, turn: Turn, incident: Incident, data: CardCallback) -> None:
    """The typed action is logged; told to the residents or kept in the journal."""
    t, state, session = turn.t, turn.fsm, turn.session
    form = await state.get_data()
    text = as_str(form.get("action_text"))
    if (
        await state.get_state() != IncidentForm.action_public.state
        or as_int(form.get("incident_id")) != incident.id
        or not text
    ):
        await outdated(query)
        return
    public = data.act == CardAct.PUBLIC
    try:
        update = await journal.add_action(
            session,
            actor(turn),
            incident.id,
            journal.ActionInput(text, occurred_at=from_iso(form.get("action_at")), public=public),
        )
    except DomainError as exc:
        await state.clear()
        await alert(query, exc)
        return
    note = t("The action is in the journal.")
    if public:
        result = await update_notices.broadcast_update(session, turn.notice_ctx, update)
        note += " " + t("Notices queued for residents: %(n)s", n=result.queued)
    await query.answer(t("Done."))
    await drop_buttons(query)
    await back_to_menu(turn, note)
    await send_card(turn, incident)


ACTIONS: dict[str, Action] = {
    CardAct.ACTION: _ask(
        IncidentForm.action,
        N_("Describe the action taken. To give an earlier time, begin with it: «14:30 Бригада выехала»."),
    ),
    CardAct.CAUSE: _ask(IncidentForm.cause, N_("Type the cause of the incident as established.")),
    CardAct.EXPECTED: _ask(
        IncidentForm.card_expected,
        N_("When is it expected to be dealt with? Type the time: «18:00», «05.12 9:00»; «—» if not known."),
    ),
    CardAct.CLOSE: _ask(
        IncidentForm.close,
        N_("How did it end? Type the closing note: the journal and the residents who reported it get it."),
    ),
    CardAct.REOPEN: _ask(
        IncidentForm.reopen,
        N_("Why is the incident reopened? The reason goes to the journal."),
    ),
    CardAct.HAND: _hand,
    CardAct.HAND_TO: _hand_to,
    CardAct.PUBLIC: _public,
    CardAct.INTERNAL: _public,
}


async def pressed(query: CallbackQuery, callback_data: CardCallback, turn: Turn) -> None:
    t, act = turn.t, callback_data.act
    if act == CardAct.LIST:
        await query.answer()
        await show_in_place(
            query, turn.bot, *await list_view(turn.session, callback_data.page, t, turn.notice_ctx)
        )
        return
    if act == CardAct.SIGNALS:
        await query.answer()
        await show_in_place(query, turn.bot, *await queue_view(turn.session, 0, t))
        return
    incident_id = db_id(callback_data.id)
    incident = await turn.session.get(Incident, incident_id) if incident_id else None
    if incident is None:
        await alert(query, t("Incident not found."))
        return
    if act == CardAct.OPEN:
        await _open(query, turn, incident, callback_data)
        return
    action = ACTIONS.get(act)
    if action is None:
        await outdated(query)
        return
    if (incident.status == IncidentStatus.CLOSED) != (act == CardAct.REOPEN):
        if act == CardAct.REOPEN:
            await alert(query, t("The incident is open; here is its current state."))
            await show_in_place(query, turn.bot, *await card_view(turn, incident))
            return
        await alert(query, t("The incident is already closed; here is its current state."))
        await show_in_place(query, turn.bot, *await card_view(turn, incident))
        return
    await action(query, turn, incident, callback_data)


# -- typed answers -------------------------------------------------------------------------------


async def _incident_of(turn: Turn) -> int:
    return as_int((await turn.fsm.get_data()).get("incident_id")) or 0


def _too_long(text: str, t: Translator) -> str | None:
    if len(text) > journal.TEXT_LIMIT:
        return t("The text is too long: at most %(n)s characters. Please shorten it.", n=journal.TEXT_LIMIT)
    return None


async def action_typed(message: Message, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    moment, text = leading_moment(message.text or "", ctx.local(utcnow()))
    if problem := _too_long(text, t):
        await message.answer(problem)
        return
    if not text:
        await message.answer(t("Describe the action."))
        return
    if moment is not None and moment > ctx.local(utcnow()):
        await message.answer(t("The time of an action cannot be in the future."))
        return
    await turn.fsm.set_state(IncidentForm.action_public)
    await turn.fsm.update_data(
        action_text=text, action_at=moment.astimezone(UTC).isoformat() if moment else None
    )
    when = ctx.format_dt(moment) if moment else t("now")
    await message.answer(
        t("Action at %(when)s: %(text)s", when=when, text=html_escape(text[:500]))
        + "\n\n"
        + t("Tell the residents of the place and those who reported it?"),
        reply_markup=keyboards.public_markup(await _incident_of(turn), t),
    )


async def cause_typed(message: Message, turn: Turn) -> None:
    t, text = turn.t, (message.text or "").strip()
    if problem := _too_long(text, t):
        await message.answer(problem)
        return
    try:
        incident = await edits.set_cause(turn.session, actor(turn), await _incident_of(turn), text)
    except DomainError as exc:
        await back_to_menu(turn, domain_error_text(exc))
        return
    await back_to_menu(turn, t("The cause is recorded."))
    await send_card(turn, incident)


async def expected_typed(message: Message, turn: Turn) -> None:
    t, ctx = turn.t, turn.notice_ctx
    text = (message.text or "").strip()
    moment = None if text in ("-", "—") else parse_future(text, ctx.local(utcnow()))
    if moment is None and text not in ("-", "—"):
        await message.answer(
            t("I could not read a date and time. Examples: %(examples)s.", examples=TIME_EXAMPLES)
        )
        return
    try:
        incident = await edits.set_expected_end(turn.session, actor(turn), await _incident_of(turn), moment)
    except DomainError as exc:
        if exc.message == "The expected end must be in the future.":
            await message.answer(domain_error_text(exc))  # the dispatcher types another time
            return
        await back_to_menu(turn, domain_error_text(exc))
        return
    when = ctx.format_dt(moment) if moment is not None else t("not yet known")
    await back_to_menu(turn, t("Expected end: %(when)s", when=when))
    await send_card(turn, incident)


async def close_typed(message: Message, turn: Turn) -> None:
    t, text = turn.t, (message.text or "").strip()
    if problem := _too_long(text, t):
        await message.answer(problem)
        return
    try:
        incident = await journal.close_incident(turn.session, actor(turn), await _incident_of(turn), text)
    except DomainError as exc:
        await back_to_menu(turn, domain_error_text(exc))
        return
    sent = await update_notices.notify_incident_closed(turn.session, turn.notice_ctx, incident)
    await back_to_menu(
        turn,
        t("Incident № %(number)s is closed.", number=incident.journal_number)
        + " "
        + t("Notices queued for residents: %(n)s", n=sent),
    )
    await send_card(turn, incident)


async def reopen_typed(message: Message, turn: Turn) -> None:
    t, text = turn.t, (message.text or "").strip()
    if problem := _too_long(text, t):
        await message.answer(problem)
        return
    try:
        incident = await journal.reopen_incident(turn.session, actor(turn), await _incident_of(turn), text)
    except DomainError as exc:
        await back_to_menu(turn, domain_error_text(exc))
        return
    await back_to_menu(turn, t("Incident № %(number)s is open again.", number=incident.journal_number))
    await send_card(turn, incident)


async def choice_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please tap one of the buttons above. To cancel, send /cancel."))


async def text_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please answer with a text message. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="incidents.cards")
    router.callback_query.register(pressed, CardCallback.filter())
    text = (F.text, ~F.text.startswith("/"))
    router.message.register(action_typed, IncidentForm.action, *text)
    router.message.register(cause_typed, IncidentForm.cause, *text)
    router.message.register(expected_typed, IncidentForm.card_expected, *text)
    router.message.register(close_typed, IncidentForm.close, *text)
    router.message.register(reopen_typed, IncidentForm.reopen, *text)
    for st in (
        IncidentForm.action,
        IncidentForm.cause,
        IncidentForm.card_expected,
        IncidentForm.close,
        IncidentForm.reopen,
    ):
        router.message.register(text_expected, st)
    router.message.register(choice_expected, IncidentForm.action_public)
    return router
