"""Telegram accounts: everyone who has written to the bot, kept current on each update."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import BigInteger, ColumnElement, Select, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from models import TelegramAccount, User, UserRole, utcnow
from models.enums import Role
from services.messengers import messenger_of


@dataclass(frozen=True, slots=True)
class TelegramProfile:
    """The parts of a Telegram ``User`` we keep; built by the bot layer from aiogram types."""

    id: int
    chat_id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


# ``last_seen_at`` is kept to this resolution: segments and consent lists count days, and writing
# it on every update made each one commit (a measurable share of the bot's time per update).
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


@functools.cache
def _account_query() -> Select[tuple[TelegramAccount]]:
    """Built once: ``session.get`` builds its query anew on every call, and this runs for every update."""
    return select(TelegramAccount).where(TelegramAccount.id == bindparam("id", type_=BigInteger))


async def touch_account(session: AsyncSession, profile: TelegramProfile) -> TelegramAccount:
    """Create or refresh the account; a user who writes again is evidently no longer blocking us.

    Writes only what changed (and ``last_seen_at`` once per ``LAST_SEEN_RESOLUTION``), so an
    ordinary update reads one row and writes nothing."""
    account = session.identity_map.get(identity_key(TelegramAccount, profile.id)) or await session.scalar(
        _account_query(), {"id": profile.id}
    )
    now = utcnow()
    if account is None:
        account = TelegramAccount(
            id=profile.id, chat_id=profile.chat_id, messenger=messenger_of(profile.id).value, created_at=now
        )
        session.add(account)
    fields = {
        "chat_id": profile.chat_id,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "username": profile.username,
        "language_code": profile.language_code,
        "blocked_at": None,
    }
    for name, value in fields.items():
        if getattr(account, name) != value:
            setattr(account, name, value)
    seen = account.last_seen_at
    if seen is None or seen <= now - LAST_SEEN_RESOLUTION:
        account.last_seen_at = now
    if session.new or session.dirty:
        await session.flush()
    return account


async def staff_chats(
    session: AsyncSession, *conditions: ColumnElement[bool], role: Role | None = None
) -> list[tuple[User, int]]:
    """Active users matching ``conditions`` (and holding ``role``) with one chat each: their primary
    chat (``User.telegram_id``, also set for staff entered in the panel with an id but no invite),
    else a linked account's. The outbox moves a notice to the person's preferred messenger
    (services/messenger_routing.py). One who blocked the bot in every messenger is left out."""
    linked = select(func.min(TelegramAccount.chat_id)).where(TelegramAccount.user_id == User.id)
    chat = func.coalesce(User.telegram_id, linked.scalar_subquery())
    mine = or_(TelegramAccount.user_id == User.id, TelegramAccount.id == User.telegram_id)
    has_open = exists().where(mine, TelegramAccount.blocked_at.is_(None))
    has_any = exists().where(mine)
    query = (
        select(User, chat)
        .where(User.is_active.is_(True), chat.is_not(None), or_(has_open, ~has_any), *conditions)
        .order_by(User.id)
    )
    if role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return [(u, int(c)) for u, c in (await session.execute(query)).all()]
