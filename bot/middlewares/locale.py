"""Picks each update's language: the staff user's choice, else the account's, else the default."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18nMiddleware

from bot import prefs
from models import TelegramAccount, User


class LocaleMiddleware(I18nMiddleware):
    """Registered on ``update`` after :class:`DbSessionMiddleware`, whose ``user`` it reads.

    The chosen locale is also left in ``data["locale"]`` for the error handler, which runs outside
    this middleware's translation context.
    """

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        locale = await self._preferred(data)
        if locale not in self.i18n.available_locales:
            locale = self.i18n.default_locale
        data["locale"] = locale
        return locale

    async def _preferred(self, data: dict[str, Any]) -> str | None:
        user: User | None = data.get("user")
        if user is not None and user.locale:
            return user.locale
        # A resident's choice (kept on the account) also carries over once they are bound as staff
        # without a locale.
        account: TelegramAccount | None = data.get("account")
        if account is not None and account.locale:
            return account.locale
        # Choices made before the account kept them lived only in the FSM storage (e.g. Redis).
        state: FSMContext | None = data.get("state")
        return await prefs.get_locale(state) if state is not None else None
