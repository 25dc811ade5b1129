"""The executor asks for more time: pick or type a new deadline, then give the reason.

Acknowledge and decline are rows of :mod:`handlers.assignments.actions`.
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
from handlers.assignments.callbacks import AssignmentCallback, ExtensionPickCallback
from handlers.assignments.cards import EXTENSION_PICKS, extension_picks, parse_local
from handlers.assignments.common import card_message_id, checked_or_refresh, refuse, text_expected
from handlers.assignments.states import ExtensionForm
from models import utcnow
from services.assignments import extensions
from services.assignments.deadline_rules import quick_pick, work_calendar
from services.errors import DomainError


async def ask_new_deadline(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    aid = callback_data.id
    a = await checked_or_refresh(
        query, turn, aid, lambda u: extensions.extension_precheck(turn.session, u, aid)
    )
    if a is None:
        return
    assert turn.state is not None
    ctx, now = turn.notice_ctx, utcnow()
    calendar = await work_calendar(turn.session, ctx.tz)
    await turn.state.set_state(ExtensionForm.deadline)
    await query.answer()
    example = ctx.format_dt(quick_pick(a.deadline, 2, now=now, calendar=calendar))
    prompt = await turn.bot.send_message(
        query.from_user.id,
        _(
            "Assignment №%(id)s «%(title)s» is due %(when)s.\n\n"
            "Pick a new deadline below or type it in local time as dd.mm.yyyy hh:mm, "
            "for example %(example)s.\n\nTo cancel, send /cancel."
        )
        % {"id": a.id, "title": quote(a.title), "when": ctx.format_dt(a.deadline), "example": example},
        reply_markup=extension_picks(a, ctx, calendar, now=now),
    )
    await turn.state.set_data({"aid": a.id, "card": card_message_id(query), "prompt": prompt.message_id})


async def picked_deadline(query: CallbackQuery, callback_data: ExtensionPickCallback, turn: Turn) -> None:
    assert turn.state is not None
    data = await turn.state.get_data()
    if turn.user is None or data.get("aid") != callback_data.id or callback_data.days not in EXTENSION_PICKS:
        await refuse(query, _(messages.OUTDATED))
        return
    try:
        a = await extensions.extension_precheck(turn.session, turn.user, callback_data.id)
    except DomainError as exc:
        await turn.state.clear()
        await refuse(query, exc)
        return
    await query.answer()
    calendar = await work_calendar(turn.session, turn.notice_ctx.tz)
    await _ask_reason(turn, quick_pick(a.deadline, callback_data.days, now=utcnow(), calendar=calendar), data)


async def typed_deadline(message: Message, turn: Turn) -> None:
    assert turn.state is not None
    data = await turn.state.get_data()
    if turn.user is None:
        await turn.state.clear()
        return
    ctx = turn.notice_ctx
    moment = parse_local(message.text or "", ctx.tz)
    if moment is None:
        await message.answer(
            _("I could not read the date. Please type it as dd.mm.yyyy hh:mm, for example 25.12.2026 18:00.")
        )
        return
    try:
        a = await extensions.extension_precheck(turn.session, turn.user, data["aid"])
    except DomainError as exc:
        await turn.state.clear()
        await message.answer(domain_error_text(exc))
        return
    now = utcnow()
    if moment <= now:
        await message.answer(
            _(
                "This moment has already passed (it is %(now)s now). "
                "Please type a date and time in the future."
            )
            % {"now": ctx.format_dt(now)}
        )
        return
    if moment <= a.deadline:
        await message.answer(
            _("The new deadline must be later than the current one (%(when)s).")
            % {"when": ctx.format_dt(a.deadline)}
        )
        return
    await _ask_reason(turn, moment, data)


async def _ask_reason(turn: Turn, new_deadline: datetime, data: dict[str, Any]) -> None:
    assert turn.state is not None
    await messages.drop_buttons_of(turn.bot, turn.chat_id, data.get("prompt"))
    await turn.state.set_state(ExtensionForm.reason)
    await turn.state.update_data(new=new_deadline.isoformat())
    await turn.bot.send_message(
        turn.chat_id,
        _("Why is more time needed? Please write the reason: the controller will see it with the request."),
    )


async def got_extension_reason(message: Message, turn: Turn) -> None:
    data = await turn.finish_form()
    if turn.user is None:
        return
    try:
        request = await extensions.request_extension(
            turn.session,
            turn.user,
            data["aid"],
            datetime.fromisoformat(data["new"]),
            message.text or "",
            notify=turn.notice_ctx,
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await message.answer(
        _(
            "The request is sent: a new deadline of %(when)s for assignment №%(id)s. "
            "I will let you know what the controller decides."
        )
        % {"when": turn.notice_ctx.format_dt(request.new_deadline), "id": data["aid"]}
    )


def create_router() -> Router:
    router = Router(name="assignments_executor")
    router.callback_query.register(ask_new_deadline, AssignmentCallback.filter(F.action == "ext"))
    router.callback_query.register(picked_deadline, ExtensionPickCallback.filter())
    router.message.register(typed_deadline, ExtensionForm.deadline, F.text)
    router.message.register(text_expected, ExtensionForm.deadline)
    router.message.register(got_extension_reason, ExtensionForm.reason, F.text)
    router.message.register(text_expected, ExtensionForm.reason)
    return router
