"""``/cancel`` and ``/menu``: they work from any state, so this router comes before the features."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.menu import Menu, Translated
from bot.texts import CANCEL
from models import User


async def cancel(message: Message, state: FSMContext, user: User | None, menu: Menu, i18n: I18n) -> None:
    if await state.get_state() is None:
        text = _("There is nothing to cancel.")
    else:
        await state.clear()
        text = _("Action cancelled.")
    await message.answer(text, reply_markup=menu.keyboard(user, i18n))


async def show_menu(message: Message, state: FSMContext, user: User | None, menu: Menu, i18n: I18n) -> None:
    await state.clear()
    await message.answer(_("Choose an action in the menu below."), reply_markup=menu.keyboard(user, i18n))


def create_router() -> Router:
    router = Router(name="common")
    router.message.register(cancel, Command("cancel"))
    router.message.register(cancel, Translated(CANCEL))
    router.message.register(show_menu, Command("menu"))
    return router
