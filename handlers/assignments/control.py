"""The control moves an assignment's deadline: pick «+1 day / +3 days / +1 week» or type a date.

The change itself is :func:`services.assignments.control.change_deadline`, the same as the panel's:
it re-checks that the presser is the assignment's control, refuses a moment in the past, audits
and tells the executor. Reassigning and cancelling are the rows «reassign» (reassign.py) and
«cancel» (actions.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import messages
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback, DeadlinePickCallback
from handlers.assignments.cards import EXTENSION_PICKS, extension_picks, parse_local, redraw_card
from handlers.assignments.common import card_message_id, checked_or_refresh, refuse, text_expected
from handlers.assignments.states import DeadlineForm
from models import utcnow
from services.assignments import control
from services.assignments.deadline_rules import quick_pick, work_calendar
from services.errors import DomainError


async def ask_deadline(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    aid = callback_data.id
    a = await checked_or_refresh(query, turn, aid, lambda u: control.deadline_precheck(turn.session, u, aid))
    if a is None:
        return
    ctx, state = turn.notice_ctx, turn.fsm
    await state.set_state(DeadlineForm.deadline)
    await query.answer()
    calendar = await work_calendar(turn.session, ctx.tz)
    picks = extension_picks(
        a, ctx, calendar, now=utcnow(), pack=lambda days: DeadlinePickCallback(id=a.id, days=days).pack()
    )
    prompt = await turn.bot.send_message(
        query.from_user.id,
        _(
            "Assignment №%(id)s «%(title)s» is due %(when)s.\n\n"
            "Pick the new deadline below or type it in local time as dd.mm.yyyy hh:mm. "
            "The executor will be notified.\n\nTo cancel, send /cancel."
        )
        % {"id": a.id, "title": quote(a.title), "when": ctx.format_dt(a.deadline)},
        reply_markup=picks,
    )
    await state.set_data({"aid": a.id, "card": card_message_id(query), "prompt": prompt.message_id})


async def _apply(turn: Turn, data: dict[str, Any], moment: datetime) -> str | None:
    """Change the deadline; the refusal text, or None when done (the conversation is over)."""
    assert turn.user is not None
    try:
        a = await control.change_deadline(
            turn.session, turn.user, data["aid"], moment, notify=turn.notice_ctx
        )
    except DomainError as exc:
        return domain_error_text(exc)
    await turn.fsm.clear()
    await messages.drop_buttons_of(turn.bot, turn.chat_id, data.get("prompt"))
    await redraw_card(turn, data.get("card"), a, _("The deadline is changed"))
    await turn.bot.send_message(
        turn.chat_id,
        _("The deadline of assignment №%(id)s is now %(when)s. The executor has been notified.")
        % {"id": a.id, "when": turn.notice_ctx.format_dt(a.deadline)},
    )
    return None


async def picked(query: CallbackQuery, callback_data: DeadlinePickCallback, turn: Turn) -> None:
    data = await turn.fsm.get_data()
    current = await turn.fsm.get_state() == DeadlineForm.deadline.state
    if turn.user is None or not current or data.get("aid") != callback_data.id:
        await messages.outdated(query)
        return
    if callback_data.days not in EXTENSION_PICKS:
        await refuse(query, _(messages.OUTDATED))
        return
    try:
        a = await control.deadline_precheck(turn.session, turn.user, callback_data.id)
    except DomainError as exc:
        await turn.fsm.clear()
        await refuse(query, exc)
        return
    calendar = await work_calendar(turn.session, turn.notice_ctx.tz)
    moment = quick_pick(a.deadline, callback_data.days, now=utcnow(), calendar=calendar)
    refused = await _apply(turn, data, moment)
    if refused is not None:
        await refuse(query, refused)
        return
    await query.answer()


async def typed(message: Message, turn: Turn) -> None:
    data = await turn.fsm.get_data()
    if turn.user is None:
        await turn.fsm.clear()
        return
    moment = parse_local(message.text or "", turn.notice_ctx.tz)
    if moment is None:
        await message.answer(
            _("I could not read the date. Please type it as dd.mm.yyyy hh:mm, for example 25.12.2026 18:00.")
        )
        return
    refused = await _apply(turn, data, moment)
    if refused is not None:  # a past moment, or no longer allowed: the user reads why
        await message.answer(refused)


def create_router() -> Router:
    router = Router(name="assignments_control")
    router.callback_query.register(ask_deadline, AssignmentCallback.filter(F.action == "deadline"))
    router.callback_query.register(picked, DeadlinePickCallback.filter())
    router.message.register(typed, DeadlineForm.deadline, F.text)
    router.message.register(text_expected, DeadlineForm.deadline)
    return router
