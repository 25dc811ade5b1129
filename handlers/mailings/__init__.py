"""The bot's part of mailings (built in issue #16): the consent to mailings (``consent``:
confirm/decline buttons, ``/subscribe``, ``/unsubscribe``) and «Отписаться» under a mailing
(``optout``)."""

from __future__ import annotations

from aiogram import Router

from bot.menu import MenuItem
from handlers.mailings import optout
from handlers.mailings.consent import create_consent_router

MENU_ITEMS: list[MenuItem] = []


def create_router() -> Router:
    router = Router(name="mailings")
    router.include_router(create_consent_router())
    router.include_router(optout.create_router())
    return router
