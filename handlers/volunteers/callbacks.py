"""Inline-button payloads of volunteering: ``vol:<action>:<shift id>``, as
``services.volunteers.notices.cb`` writes them on the invitations. Only an action and an id: every
press reloads the shift and re-checks that it is the sender's own."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from services.volunteers.notices import CB_PREFIX, CONFIRM, DECLINE

ANSWERS = (CONFIRM, DECLINE)
DB_ID_MAX = 2**63 - 1


class ShiftCallback(CallbackData, prefix=CB_PREFIX):
    action: str
    id: int = 0


def valid_id(raw: int) -> bool:
    return 0 < raw <= DB_ID_MAX
