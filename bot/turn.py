"""One object per update with everything a handler's helpers need.

Without it, helper functions took (bot, chat_id, state, session, user, t, ctx, menu, i18n) one by one
and passed them on; a handler now asks for ``turn: Turn`` and hands that on instead. Built by
:class:`TurnMiddleware` after the database and locale middlewares, from what they injected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import Menu
from bot.middleware_types import NextHandler
from models import TelegramAccount, User
from services.notify import NoticeContext, Translator


@dataclass
class Turn:
    bot: Bot
    chat_id: int
    session: AsyncSession
    state: FSMContext | None
    user: User | None  # the staff member, or None for a resident
    account: TelegramAccount | None
    i18n: I18n
    menu: Menu
    notice_ctx: NoticeContext

    @property
    def locale(self) -> str:
        return self.i18n.current_locale

    @property
    def fsm(self) -> FSMContext:
        """The conversation's state for helpers that run one: messages and presses in private chats
        always have one, so a missing state is a wiring error, not a user's doing."""
        if self.state is None:
            raise RuntimeError("this update has no conversation state")
        return self.state

    async def finish_form(self) -> dict[str, Any]:
        """What the conversation collected, the conversation itself ended: for the last answer of a form."""
        data = await self.fsm.get_data()
        await self.fsm.clear()
        return data

    @property
    def t(self) -> Translator:
        """The reader's translator, usable outside the locale middleware's context too."""
        return Translator(self.i18n.current_locale)


class TurnMiddleware(BaseMiddleware):
    """Outer ``update`` middleware registered after the database and locale middlewares."""

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        chat = data.get("event_chat")
        chat_id = chat.id if chat is not None else (tg_user.id if tg_user is not None else 0)
        data["turn"] = Turn(
            bot=data["bot"],
            chat_id=chat_id,
            session=data["session"],
            state=data.get("state"),
            user=data.get("user"),
            account=data.get("account"),
            i18n=data["i18n"],
            menu=data["menu"],
            notice_ctx=data["notice_ctx"],
        )
        return await handler(event, data)
