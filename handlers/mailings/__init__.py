"""The bot's part of mailings (built in issue #16): «Отписаться» under a mailing."""

from __future__ import annotations

from aiogram import Router

from bot.menu import MenuItem
from handlers.mailings import optout

MENU_ITEMS: list[MenuItem] = []


def create_router() -> Router:
    router = Router(name="mailings")
    router.include_router(optout.create_router())
    return router
