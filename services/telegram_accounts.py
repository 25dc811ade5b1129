"""Telegram accounts: everyone who has written to the bot, kept current on each update."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import TelegramAccount, utcnow


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
