"""Panel sessions kept on the server: the cookie carries a random id, this table says it is valid.

An encrypted cookie alone cannot be taken back: a copy made before signing out would stay good until
it expires. With the id checked here, signing out deletes the one session, and a new password or
deactivation deletes all of the user's sessions at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User, WebSession, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(session: AsyncSession, user: User, *, lifetime: timedelta) -> str:
    """A new session for ``user``; returns the token for the cookie (only its hash is stored)."""
    now = utcnow()
    await session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime)
    )
    await session.flush()
    return token


async def is_open(session: AsyncSession, token: object, user_id: int, *, now: datetime | None = None) -> bool:
    if not isinstance(token, str) or not token:
        return False
    expires = await session.scalar(
        select(WebSession.expires_at).where(
            WebSession.token_hash == _hash(token), WebSession.user_id == user_id
        )
    )
    return expires is not None and expires > (now or utcnow())


async def close_session(session: AsyncSession, token: object) -> None:
    if isinstance(token, str) and token:
        await session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


async def close_all(session: AsyncSession, user_id: int) -> int:
    """End every panel session of the user (new password, deactivation). Returns how many."""
    result = await session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)
