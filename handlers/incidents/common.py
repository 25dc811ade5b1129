"""Small helpers shared by the incident handlers: the acting dispatcher, FSM data decoding."""

from __future__ import annotations

from datetime import datetime

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.turn import Turn
from models import User


def actor(turn: Turn) -> User:
    """The dispatcher acting: the router's guard has let only active dispatchers through."""
    if turn.user is None:
        raise RuntimeError("an incident update from an unknown user passed the guard")
    return turn.user


def from_iso(raw: object) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None


def as_int(raw: object) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def as_str(raw: object) -> str | None:
    return raw if isinstance(raw, str) and raw else None


async def replace_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """New buttons under the pressed message (a page of a list); its text stays."""
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest:  # not modified (the same page), or too old to edit
            pass


DB_ID_MAX = 2**63 - 1  # a BIGINT: a forged larger id would fail in the database, not read as «not found»


def db_id(raw: object) -> int | None:
    """A row id from callback data, or None when it cannot be one (forged: negative, huge, not a number)."""
    if isinstance(raw, str):
        raw = int(raw) if raw.isdigit() and len(raw) <= 19 else None
    return raw if isinstance(raw, int) and 0 < raw <= DB_ID_MAX else None
