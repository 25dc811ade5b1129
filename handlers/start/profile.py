"""The «Profile» button: what the service knows about this person."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.menu import ALL_STAFF, MenuButton, MenuItem
from bot.texts import quote, role_list
from models import TelegramAccount, User
from services.profile import department_name

PROFILE = MenuItem(
    "profile", N_("Profile"), roles=ALL_STAFF, residents=True, hint=N_("your details"), order=10
)
MENU_ITEMS = (PROFILE,)


async def show_profile(
    message: Message, session: AsyncSession, account: TelegramAccount, user: User | None
) -> None:
    if user is None:
        text = _("<b>Your profile</b>\nName: %(name)s\nPhone: %(phone)s") % {
            "name": quote(account.display_name),
            "phone": quote(account.phone),
        }
    else:
        text = _(
            "<b>Your profile</b>\nFull name: %(name)s\nPosition: %(position)s\n"
            "Department: %(department)s\nRoles: %(roles)s\nPhone: %(phone)s"
        ) % {
            "name": quote(user.full_name),
            "position": quote(user.position),
            "department": quote(await department_name(session, user)),
            "roles": role_list(user),
            "phone": quote(account.phone or user.phone),
        }
    await message.answer(text)


def create_router() -> Router:
    router = Router(name="profile")
    router.message.register(show_profile, MenuButton(PROFILE.key))
    return router
