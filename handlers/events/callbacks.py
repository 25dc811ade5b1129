"""Inline-button payloads of events: an action and an id only; every press reloads and re-checks.

``ev:<action>:<id>:<version>`` stays far under Telegram's 64 bytes (ids are BIGINTs: 19 digits).
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

DB_ID_MAX = 2**63 - 1


class Act:
    LIST = "list"  # the upcoming events
    SHOW = "show"  # one event's card (id: the event)
    REGISTER = "reg"  # id: the event
    AGREE = "ok"  # consent given (id: the event, v: the consent version shown)
    DECLINE = "no"
    MINE = "mine"  # one's registrations
    CANCEL = "cx"  # ask to cancel a registration (id: the registration)
    CANCEL_YES = "cxy"  # confirmed


class EventCallback(CallbackData, prefix="ev"):
    action: str
    id: int = 0
    v: int = 0


def valid_id(raw: int) -> bool:
    return 0 < raw <= DB_ID_MAX
