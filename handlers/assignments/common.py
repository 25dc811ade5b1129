"""What every assignment button handler shares: refuse clearly, check before a conversation, redraw.

Callback data is never trusted: the services reload the record and check the presser's rights and
the current state on every press, and a refusal is shown as an alert and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import messages
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.assignments.cards import card
from models import User
from models.enums import AssignmentStatus as S
from services.assignments import commands, notices
from services.errors import DomainError, InvalidInput, PermissionDenied

T = TypeVar("T")
ALERT_LIMIT = 200  # Telegram: the text of a callback answer
NOT_STAFF = PermissionDenied("You are not allowed to do this with this assignment.")
# Refusals of this feature are logged under its own name, so forged presses are easy to find.
log = logging.getLogger("handlers.assignments")


async def refuse(query: CallbackQuery, error: DomainError | str) -> None:
    """A forged, stale or repeated press: a clear alert, and a trace in the log."""
    await messages.refuse(query, error, logger=log)


async def checked(query: CallbackQuery, turn: Turn, check: Callable[[User], Awaitable[T]]) -> T | None:
    """Run a service check for this staff member on the reloaded record; on refusal answer the
    press with a clear alert and return None."""
    if turn.user is None:
        await refuse(query, NOT_STAFF)
        return None
    try:
        return await check(turn.user)
    except DomainError as exc:
        await refuse(query, exc)
        return None


def card_message_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message is not None else None


async def refuse_and_refresh(
    query: CallbackQuery, turn: Turn, assignment_id: int, error: DomainError
) -> None:
    """Alert; when the press was merely stale (the user may see the record), the alert also says
    what the assignment is now, and the card is redrawn as it is now: the outdated buttons go, and
    nothing is done on the old card's assumptions."""
    a = None
    if isinstance(error, InvalidInput) and turn.user is not None:
        try:
            a = await commands.load_visible(turn.session, assignment_id, turn.user)
        except DomainError:
            a = None
    if a is None:
        await refuse(query, error)
        return
    now = _("Now: %(status)s, due %(when)s.") % {
        "status": _(notices.STATUS_NAMES[S(a.status)]),
        "when": turn.notice_ctx.format_dt(a.deadline),
    }
    await refuse(query, f"{domain_error_text(error)}\n{now}"[:ALERT_LIMIT])
    text, markup = await card(turn, a, _("Assignment card"))
    await messages.show_in_place(query, turn.bot, text, markup)


async def checked_or_refresh(
    query: CallbackQuery, turn: Turn, assignment_id: int, check: Callable[[User], Awaitable[T]]
) -> T | None:
    """:func:`checked` for a button on a card: a refusal because the card is outdated also redraws
    the card with the current state (see :func:`refuse_and_refresh`)."""
    if turn.user is None:
        await refuse(query, NOT_STAFF)
        return None
    try:
        return await check(turn.user)
    except DomainError as exc:
        await refuse_and_refresh(query, turn, assignment_id, exc)
        return None


async def start_text_prompt(
    query: CallbackQuery, turn: Turn, form_state: State, prompt: str, **data: object
) -> None:
    """Enter a conversation step that waits for a typed text (a reason, a comment)."""
    assert turn.state is not None
    await turn.state.set_state(form_state)
    await turn.state.set_data({**data, "card": card_message_id(query)})
    await query.answer()
    await turn.bot.send_message(query.from_user.id, prompt + "\n\n" + _("To cancel, send /cancel."))


async def text_expected(message: Message) -> None:
    """Anything but text while a reason or a comment is awaited."""
    await message.answer(_("Please write it as a text message. To cancel, send /cancel."))
