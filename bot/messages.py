"""Telegram message helpers every feature shares: edit in place, drop buttons, refuse a press.

One copy of each, so a fix (a new Telegram error wording, a message too old to edit) reaches every
feature at once. Texts go through the reader's catalog like any other.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.base import Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.texts import domain_error_text
from services.errors import DomainError

log = logging.getLogger(__name__)

OUTDATED = N_("This button is outdated. Please use the current menu.")


async def show_in_place(
    query: CallbackQuery, bot: Bot, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the pressed message; a message too old to edit gets a fresh copy instead."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return
    await bot.send_message(query.from_user.id, text, reply_markup=markup)


async def settle(query: CallbackQuery, text: str) -> None:
    """Turn the message whose button was pressed into a plain record of the choice."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=None)
        except TelegramBadRequest:  # not modified, or deleted meanwhile
            pass


async def drop_buttons(query: CallbackQuery) -> None:
    """Remove the buttons of the pressed message (already gone or too old: nothing to do)."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest:
            pass


async def drop_buttons_of(bot: Bot, chat_id: int, message_id: object) -> None:
    """Remove the buttons of an earlier message known by id (e.g. a prompt kept in FSM data)."""
    if not isinstance(message_id, int):
        return
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
    except TelegramBadRequest:
        pass  # already without buttons, or gone


async def alert(query: CallbackQuery, error: DomainError | str) -> None:
    """Answer the press with an alert: a service refusal (translated) or a ready text."""
    await query.answer(domain_error_text(error) if isinstance(error, DomainError) else error, show_alert=True)


async def outdated(query: CallbackQuery) -> None:
    """The press belongs to a conversation or card that is no longer current."""
    await query.answer(_(OUTDATED), show_alert=True)


async def refuse(query: CallbackQuery, error: DomainError | str, *, logger: logging.Logger = log) -> None:
    """A forged, stale or repeated press: a clear alert, and a trace in the log."""
    reason = error.message if isinstance(error, DomainError) else error
    logger.warning("refused callback %r from telegram user %s: %s", query.data, query.from_user.id, reason)
    await alert(query, error)


def stale_router(feature: str, *presses: Filter) -> Router:
    """A feature's last router: its buttons pressed outside their step (an old message, a finished
    draft) or forged are answered as outdated instead of falling through to the global fallback."""
    router = Router(name=f"{feature}.stale")
    for press in presses:
        router.callback_query.register(outdated, press)
    return router
