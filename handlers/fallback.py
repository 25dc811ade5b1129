"""Whatever no feature took. Included last, so it only sees leftovers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.menu import Menu
from bot.messages import outdated
from models import User


async def unknown_text(message: Message, user: User | None, menu: Menu, i18n: I18n) -> None:
    await message.answer(
        _("Sorry, I did not understand that. Please choose an action in the menu below."),
        reply_markup=menu.keyboard(user, i18n),
    )


async def unsupported_content(message: Message, user: User | None, menu: Menu, i18n: I18n) -> None:
    """Stickers, voice and video notes, photos... outside a conversation that asks for them."""
    await message.answer(
        _("I understand text messages and buttons. Please use the menu below."),
        reply_markup=menu.keyboard(user, i18n),
    )


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_text, F.text)
    router.message.register(unsupported_content)
    # Always answer: an unanswered callback leaves the button spinning in the user's app.
    router.callback_query.register(outdated)
    return router
