"""«Language»: inline buttons switching the bot language.

Staff keep the choice on their user row (the admin panel and notifications use it too); residents
keep theirs on their Telegram account, so it survives restarts and reaches outage notices.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.menu import ALL_STAFF, Menu, MenuButton, MenuItem
from bot.texts import LANGUAGE_NAMES
from models import TelegramAccount, User
from porucheno.settings import SUPPORTED_LOCALES
from services.profile import set_account_locale, set_user_locale


class LanguageCallback(CallbackData, prefix="lang"):
    code: str


LANGUAGE = MenuItem(
    "language",
    N_("Language"),
    roles=ALL_STAFF,
    residents=True,
    hint=N_("switch the bot language"),
    order=80,
)
MENU_ITEMS = (LANGUAGE,)


def _language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in SUPPORTED_LOCALES:
        builder.button(text=LANGUAGE_NAMES[code], callback_data=LanguageCallback(code=code))
    return builder.as_markup()


async def ask_language(message: Message) -> None:
    await message.answer(_("Choose the bot language:"), reply_markup=_language_keyboard())


async def set_language(
    query: CallbackQuery,
    bot: Bot,
    callback_data: LanguageCallback,
    session: AsyncSession,
    account: TelegramAccount,
    user: User | None,
    menu: Menu,
    i18n: I18n,
) -> None:
    if user is not None:
        await set_user_locale(session, user, callback_data.code)
    else:
        await set_account_locale(session, account, callback_data.code)
    # Answer the rest of this update in the new language already.
    i18n.current_locale = callback_data.code
    text = _("Language changed: %(language)s.") % {"language": LANGUAGE_NAMES[callback_data.code]}
    await query.answer()
    # A new message, not an edit: only a new message can carry the re-labelled reply keyboard.
    await bot.send_message(query.from_user.id, text, reply_markup=menu.keyboard(user, i18n))


def create_router() -> Router:
    router = Router(name="language")
    router.message.register(ask_language, MenuButton(LANGUAGE.key))
    router.callback_query.register(set_language, LanguageCallback.filter(F.code.in_(SUPPORTED_LOCALES)))
    return router
