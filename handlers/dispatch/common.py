"""Small helpers shared by the dispatch handlers: the reader's translator, editing in place."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n

from bot.texts import domain_error_text
from services.errors import DomainError
from services.notify import Translator


def tr(i18n: I18n) -> Translator:
    """The current reader's translator (the locale middleware has picked it)."""
    return Translator(i18n.current_locale)


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


async def alert(query: CallbackQuery, error: DomainError | str) -> None:
    await query.answer(domain_error_text(error) if isinstance(error, DomainError) else error, show_alert=True)


def to_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def from_iso(raw: object) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None


def ids(raw: object) -> list[int]:
    return [int(i) for i in raw] if isinstance(raw, list) else []
