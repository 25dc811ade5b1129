"""One-time invite links binding a staff member's Telegram account: ``t.me/<bot>?start=inv_<token>``.

Only a SHA-256 of the token is stored, so a database leak does not leak usable links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Invite, TelegramAccount, User, utcnow
from services.audit import Actor, record
from services.errors import InviteError, NotFound
from services.messengers import messenger_of

INVITE_PREFIX = "inv_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"


async def create_invite(
    session: AsyncSession, actor: Actor, user_id: int, *, ttl: timedelta = timedelta(hours=72)
) -> tuple[Invite, str]:
    """Make a fresh invite for ``user_id``; earlier unused invites of the user are revoked."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    now = utcnow()
    await session.execute(
        update(Invite)
        .where(Invite.user_id == user_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    # 32 url-safe chars: deep-link payloads allow at most 64 chars of [A-Za-z0-9_-].
    token = secrets.token_urlsafe(24)
    invite = Invite(
        token_hash=_digest(token),
        user_id=user_id,
        created_by_id=actor.user_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.flush()
    record(session, actor, "invite", invite.id, "created", data={"user_id": user_id})
    return invite, token


async def redeem_invite(session: AsyncSession, token: str, account: TelegramAccount) -> User:
    """Bind ``account`` to the invited user. Raises :class:`InviteError` with a msgid on refusal."""
    invite = await session.scalar(select(Invite).where(Invite.token_hash == _digest(token)))
    now = utcnow()
    actor = Actor(telegram_id=account.id)
    if invite is None or invite.revoked_at is not None:
        raise InviteError("This invite link is not valid. Ask your administrator for a new one.")
    if invite.used_at is not None:
        raise InviteError("This invite link has already been used. Ask your administrator for a new one.")
    if invite.expires_at <= now:
        raise InviteError("This invite link has expired. Ask your administrator for a new one.")
    user = await session.get(User, invite.user_id)
    if user is None or not user.is_active:
        raise InviteError("This invite link is not valid. Ask your administrator for a new one.")
    other = await session.scalar(
        select(User).where(
            or_(User.telegram_id == account.id, User.id == account.user_id)
            if account.user_id
            else User.telegram_id == account.id,
            User.id != user.id,
        )
    )
    if other is not None:
        raise InviteError("This messenger account is already linked to another staff member.")
    # Mark used with a conditional UPDATE so two concurrent redemptions cannot both win.
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now, used_by_telegram_id=account.id)
    )
    if result.rowcount != 1:
        raise InviteError("This invite link has already been used. Ask your administrator for a new one.")
    previous_tg = user.telegram_id
    messenger = messenger_of(account.id)
    account.messenger = messenger.value
    # One account per messenger: a new one in the same messenger replaces the old (a new phone);
    # one in the other messenger is added beside it, and the first stays the person's primary chat.
    await session.execute(
        update(TelegramAccount)
        .where(
            TelegramAccount.messenger == messenger.value,
            TelegramAccount.id != account.id,
            or_(TelegramAccount.user_id == user.id, TelegramAccount.id == previous_tg),
        )
        .values(user_id=None)
    )
    if previous_tg is None or messenger_of(previous_tg) is messenger:
        user.telegram_id = account.id
    account.user_id = user.id
    record(
        session,
        actor,
        "user",
        user.id,
        "telegram_bound",
        data={
            "telegram_id": account.id,
            "messenger": messenger.value,
            "invite_id": invite.id,
            "previous_telegram_id": previous_tg,
        },
    )
    return user
