"""Telegram accounts: everyone who has written to the bot, kept current on each update."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import TelegramAccount, User, UserRole, utcnow
from models.enums import Role


@dataclass(frozen=True, slots=True)
class TelegramProfile:
    """The parts of a Telegram ``User`` we keep; built by the bot layer from aiogram types."""

    id: int
    chat_id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


async def touch_account(session: AsyncSession, profile: TelegramProfile) -> TelegramAccount:
    """Create or refresh the account; a user who writes again is evidently no longer blocking us."""
    account = await session.get(TelegramAccount, profile.id)
    now = utcnow()
    if account is None:
        account = TelegramAccount(id=profile.id, chat_id=profile.chat_id, created_at=now)
        session.add(account)
    account.chat_id = profile.chat_id
    account.first_name = profile.first_name
    account.last_name = profile.last_name
    account.username = profile.username
    account.language_code = profile.language_code
    account.last_seen_at = now
    account.blocked_at = None
    await session.flush()
    return account


async def staff_chats(
    session: AsyncSession, *conditions: ColumnElement[bool], role: Role | None = None
) -> list[tuple[User, int]]:
    """Active users matching ``conditions`` (and holding ``role``) with their chat ids: the chat of
    the Telegram account linked to them, else their Telegram id (as assignment notices write to it:
    staff entered in the panel with an id but no invite). One who blocked the bot is left out."""
    linked, by_id = aliased(TelegramAccount), aliased(TelegramAccount)
    chat = func.coalesce(linked.chat_id, User.telegram_id)
    query = (
        select(User, chat)
        .outerjoin(linked, linked.user_id == User.id)
        .outerjoin(by_id, by_id.id == User.telegram_id)
        .where(
            User.is_active.is_(True),
            chat.is_not(None),
            linked.blocked_at.is_(None),
            by_id.blocked_at.is_(None),
            *conditions,
        )
        .order_by(User.id)
    )
    if role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return [(u, int(c)) for u, c in (await session.execute(query)).all()]
