"""The bot's part of volunteers (built in issue #16)."""

from __future__ import annotations

from aiogram import Router

from bot.menu import MenuItem

MENU_ITEMS: list[MenuItem] = []


def create_router() -> Router:
    return Router(name="volunteers")
