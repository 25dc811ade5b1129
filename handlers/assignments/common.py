"""What every assignment button handler shares: run the service, refuse clearly, redraw the card.

Callback data is never trusted: the services reload the record and check the presser's rights and
the current state on every press, and a refusal is shown as an alert and logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from handlers.assignments.cards import card, refuse, show_in_place
from models import Assignment, User
from services.assignments import commands
from services.errors import DomainError, InvalidInput, PermissionDenied
from services.notify import NoticeContext

T = TypeVar("T")
NOT_STAFF = PermissionDenied("You are not allowed to do this with this assignment.")
ALREADY_CHANGED = InvalidInput("This assignment has already changed; here is its current state.")


async def checked(query: CallbackQuery, user: User | None, check: Callable[[User], Awaitable[T]]) -> T | None:
    """Run a service check for this staff member on the reloaded record; on refusal answer the
    press with a clear alert and return None."""
    if user is None:
        await refuse(query, NOT_STAFF)
        return None
    try:
        return await check(user)
    except DomainError as exc:
        await refuse(query, exc)
        return None


def card_message_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message is not None else None


async def refuse_and_refresh(
    query: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    user: User,
    ctx: NoticeContext,
    assignment_id: int,
    error: DomainError,
) -> None:
    """Alert; when the press was merely stale (the user may see the record), redraw the card as it is
    now so the outdated buttons disappear."""
    await refuse(query, error)
    if not isinstance(error, InvalidInput):
        return
    try:
        a = await commands.load_visible(session, assignment_id, user)
    except DomainError:
        return
    text, markup = await card(session, a, user, ctx, _("Assignment card"))
    await show_in_place(query, bot, text, markup)


async def act(
    query: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    ctx: NoticeContext,
    assignment_id: int,
    run: Callable[[User], Awaitable[Assignment]],
    *,
    headline: str,
    toast: str,
) -> None:
    """A one-tap action: apply it through the service, answer the press, redraw the card in place."""
    if user is None:
        await refuse(query, NOT_STAFF)
        return
    try:
        a = await run(user)
    except DomainError as exc:
        await refuse_and_refresh(query, bot, session, user, ctx, assignment_id, exc)
        return
    except StaleDataError:
        # Another process changed the row between our read and write: the press is already moot.
        await session.rollback()
        await refuse(query, ALREADY_CHANGED)
        return
    await query.answer(toast)
    text, markup = await card(session, a, user, ctx, headline)
    await show_in_place(query, bot, text, markup)


async def start_text_prompt(
    query: CallbackQuery, bot: Bot, state: FSMContext, form_state: State, prompt: str, **data: object
) -> None:
    """Enter a conversation step that waits for a typed text (a reason, a comment)."""
    await state.set_state(form_state)
    await state.set_data({**data, "card": card_message_id(query)})
    await query.answer()
    await bot.send_message(query.from_user.id, prompt + "\n\n" + _("To cancel, send /cancel."))


async def text_expected(message: Message) -> None:
    """Anything but text while a reason or a comment is awaited."""
    await message.answer(_("Please write it as a text message. To cancel, send /cancel."))
