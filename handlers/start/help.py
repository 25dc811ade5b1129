"""``/help`` and the «Help» button: commands plus the menu items this user can see."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.menu import ALL_STAFF, Menu, MenuButton, MenuItem
from bot.texts import role_list
from models import User

HELP = MenuItem("help", N_("Help"), roles=ALL_STAFF, residents=True, hint=N_("what the bot can do"), order=90)
MENU_ITEMS = (HELP,)


def help_text(user: User | None, menu: Menu) -> str:
    lines = [
        _("<b>Commands</b>"),
        _("/start — start over"),
        _("/menu — show the main menu"),
        _("/cancel — cancel the current action"),
        _("/help — this help"),
    ]
    hints = [(item.text, item.hint) for item in menu.items_for(user) if item.hint]
    if hints:
        lines += ["", _("<b>Menu buttons</b>")]
        lines += [_("«%(button)s» — %(hint)s") % {"button": _(text), "hint": _(hint)} for text, hint in hints]
    lines.append("")
    if user is None:
        lines.append(
            _(
                "If you work for the administration, open the personal invite link "
                "you received from your administrator."
            )
        )
    else:
        lines.append(
            _(
                "You are a staff member (%(roles)s). "
                "Assignments and notifications for you arrive in this chat."
            )
            % {"roles": role_list(user)}
        )
    return "\n".join(lines)


async def show_help(message: Message, user: User | None, menu: Menu) -> None:
    await message.answer(help_text(user, menu))


def create_router() -> Router:
    router = Router(name="help")
    router.message.register(show_help, Command("help"))
    router.message.register(show_help, MenuButton(HELP.key))
    return router
