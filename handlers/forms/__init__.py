"""The bot's part of forms (built in issue #16)."""

from __future__ import annotations

from aiogram import Router

from bot.menu import MenuItem

MENU_ITEMS: list[MenuItem] = []


def create_router() -> Router:
    return Router(name="forms")


def create_start_router() -> Router:
    """``/start form_<slug>``: opens a form from a link; included before /start's catch-all."""
    return Router(name="forms_start")
