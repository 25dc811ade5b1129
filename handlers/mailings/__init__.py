"""The bot's part of mailings (built in issue #16): the consent to mailings (``consent``:
confirm/decline buttons, ``/subscribe``, ``/unsubscribe``)."""

from __future__ import annotations

from aiogram import Router

from bot.menu import MenuItem
from handlers.mailings.consent import create_consent_router

MENU_ITEMS: list[MenuItem] = []


def create_router() -> Router:
    router = Router(name="mailings")
    router.include_router(create_consent_router())
    return router
