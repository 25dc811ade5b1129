"""Every step and press re-checks the dispatcher role on the freshly loaded user (roles may change)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.dispatch.states import OutageForm
from models import User
from models.enums import Role


def can_dispatch(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.DISPATCHER)


class DispatcherGuard(BaseMiddleware):
    """Inner middleware of the dispatch router: runs only when one of its handlers matched."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if can_dispatch(data.get("user")):
            return await handler(event, data)
        state: FSMContext | None = data.get("state")
        if state is not None and await state.get_state() in OutageForm.__all_states_names__:
            await state.clear()
        text = _("Only a duty dispatcher can manage outages.")
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text, reply_markup=data["menu"].keyboard(data.get("user"), data["i18n"]))
        return None
