"""One database session per update, plus the sender's Telegram account and staff user."""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject
from aiogram.types import User as TgUser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commit_before_send import UPDATE_SESSION
from bot.middleware_types import NextHandler
from services.staff import get_account_and_user
from services.telegram_accounts import TelegramProfile, touch_account


class DbSessionMiddleware(BaseMiddleware):
    """Outer ``update`` middleware: handlers get ``session``, ``account`` and ``user`` (staff or None).

    The handler's work is committed when it returns normally, so a failed update leaves no
    half-written rows behind; and before any message the handler sends, so the user is never told
    about a change that is not yet saved (``bot/commit_before_send.py``).
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        async with self.session_factory() as session:
            token = UPDATE_SESSION.set(session)  # replies commit first (bot/commit_before_send.py)
            data["session"] = session
            data["account"] = data["user"] = None
            if tg_user is not None and not tg_user.is_bot:
                # One statement for both; touch_account then finds the account already loaded.
                _, data["user"] = await get_account_and_user(session, tg_user.id)
                data["account"] = await touch_account(session, _profile(tg_user, chat))
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            finally:
                UPDATE_SESSION.reset(token)
            await session.commit()  # a read-only one too: ending it costs one trip either way
            return result


def _profile(tg_user: TgUser, chat: Chat | None) -> TelegramProfile:
    # Notifications go to the private chat; a group's id must never become the user's chat.
    chat_id = chat.id if chat is not None and chat.type == ChatType.PRIVATE else tg_user.id
    return TelegramProfile(
        id=tg_user.id,
        chat_id=chat_id,
        first_name=tg_user.first_name,
        last_name=tg_user.last_name,
        username=tg_user.username,
        language_code=tg_user.language_code,
    )
