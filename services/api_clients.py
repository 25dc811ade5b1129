"""API keys of Open311 clients: issued once, stored only as a SHA-256 hash, revocable.

A key is 32 random bytes; hashing it without a salt is enough (it is not a password a person
chose), and it lets a request find its client with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiClient, utcnow
from services.admin_rights import require_admin
from services.audit import Actor, record

KEY_PREFIX_LENGTH = 8
NAME_LIMIT = 255
# last_used_at is a hint for the admin; writing it on every request would turn reads into writes.
LAST_USED_PRECISION_SECONDS = 60


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_client(session: AsyncSession, name: str, *, actor: Actor) -> tuple[ApiClient, str]:
    """A new client and its key in clear; the key is never stored and cannot be shown again."""
    await require_admin(session, actor)
    key = secrets.token_urlsafe(32)
    client = ApiClient(
        name=name.strip()[:NAME_LIMIT],
        key_hash=hash_key(key),
        key_prefix=key[:KEY_PREFIX_LENGTH],
        created_by_id=actor.user_id,
    )
    session.add(client)
    await session.flush()
    record(session, actor, "api_client", client.id, "created", data={"name": client.name})
    return client, key


async def revoke_client(session: AsyncSession, client_id: int, *, actor: Actor) -> ApiClient | None:
    """Revoke the key; ``None`` when there is no such client. Revoking twice changes nothing."""
    await require_admin(session, actor)
    client = await session.get(ApiClient, client_id)
    if client is None:
        return None
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        record(session, actor, "api_client", client.id, "revoked", data={"name": client.name})
    return client


async def list_clients(session: AsyncSession) -> Sequence[ApiClient]:
    query = select(ApiClient).order_by(ApiClient.revoked_at.is_not(None), ApiClient.created_at.desc())
    return (await session.scalars(query)).all()


async def authenticate(session: AsyncSession, key: str, *, now: datetime | None = None) -> ApiClient | None:
    """The active client holding ``key``, or ``None`` for an unknown or revoked key."""
    if not key:
        return None
    client = await session.scalar(select(ApiClient).where(ApiClient.key_hash == hash_key(key)))
    if client is None or client.revoked_at is not None:
        return None
    now = now or utcnow()
    last = client.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_PRECISION_SECONDS:
        client.last_used_at = now
    return client
