"""«Hand over the shift» in Telegram: the dispatcher reads the report of the shift, adds a note if
there is one, hands the shift over and gets the report as XLSX and PDF.

Every message and press passes the dispatcher guard first (roles change; buttons are not trusted).
"""

from __future__ import annotations

from aiogram import Router

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import stale_router
from bot.role_guard import guarded_router
from handlers.shift import handover
from handlers.shift.callbacks import ShiftCallback
from handlers.shift.guard import shift_guard
from models.enums import Role

HAND_OVER = MenuItem(
    "shift_handover",
    N_("Hand over the shift"),
    roles=frozenset({Role.DISPATCHER}),
    hint=N_("the shift report: what is open and what changed; sent as XLSX and PDF"),
    order=43,
)
MENU_ITEMS = (HAND_OVER,)


def create_router() -> Router:
    router = guarded_router("shift", shift_guard())
    router.message.register(handover.show_report, MenuButton(HAND_OVER.key))
    router.include_router(handover.create_router())
    router.include_router(stale_router("shift", ShiftCallback.filter()))
    return router
