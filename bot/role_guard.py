"""A router's inner middleware that re-checks, on every step and press, that the freshly loaded user
may use the flow at all (roles change; buttons and callback data are never trusted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.middleware_types import NextHandler
from models import User


class RoleGuard(BaseMiddleware):
    """Runs only when one of the router's handlers matched. Someone who may not use the flow gets
    ``refusal()`` (already translated) and, if they were inside it, its conversation is ended."""

    def __init__(
        self, allowed: Callable[[User | None], bool], states: type[StatesGroup], refusal: Callable[[], str]
    ) -> None:
        self.allowed = allowed
        self.states = states
        self.refusal = refusal

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if self.allowed(data.get("user")):
            return await handler(event, data)
        state: FSMContext | None = data.get("state")
        if state is not None and await state.get_state() in self.states.__all_states_names__:
            await state.clear()
        text = self.refusal()
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text, reply_markup=data["menu"].keyboard(data.get("user"), data["i18n"]))
        return None


def guarded_router(name: str, guard: RoleGuard) -> Router:
    """A feature's router whose messages and button presses all pass its role guard first."""
    router = Router(name=name)
    router.message.middleware(guard)
    router.callback_query.middleware(guard)
    return router
