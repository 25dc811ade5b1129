"""Every step re-checks the creating role on the freshly loaded user (roles may change mid-way)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.create_states import CreateAssignment
from handlers.assignment_create.steps import can_create


class CreatorGuard(BaseMiddleware):
    """Inner middleware of the flow's router: runs only when one of its handlers matched."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if can_create(data.get("user")):
            return await handler(event, data)
        state: FSMContext | None = data.get("state")
        if state is not None and await state.get_state() in CreateAssignment.__all_states_names__:
            await state.clear()
        text = _("You are not allowed to create assignments.")
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            menu, i18n = data["menu"], data["i18n"]
            await event.answer(text, reply_markup=menu.keyboard(data.get("user"), i18n))
        return None
