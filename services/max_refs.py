"""The MAX adapter's memory: integer message ids behind MAX ``mid`` strings, and short file ids
behind MAX file tokens and URLs (models/messenger_refs.py). Plain functions over a session; the
caller commits."""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.messenger_refs import MaxFileRef, MaxMessageRef


async def message_id_for(session: AsyncSession, mid: str, chat_id: int) -> int:
    """The integer id of MAX message ``mid`` (created on first sight; ``chat_id`` is the address)."""
    found = await session.scalar(select(MaxMessageRef.id).where(MaxMessageRef.mid == mid))
    if found is not None:
        return found
    ref = MaxMessageRef(mid=mid, chat_id=chat_id)
    session.add(ref)
    await session.flush()  # IntegrityError when another task stored it first: the caller retries
    return ref.id


async def mid_for(session: AsyncSession, message_id: int) -> str | None:
    """The MAX ``mid`` behind integer message id ``message_id``; None when unknown."""
    return await session.scalar(select(MaxMessageRef.mid).where(MaxMessageRef.id == message_id))


def short_file_id(kind: str, token: str | None, url: str | None) -> str:
    """A stable short id for a MAX file (the same file seen twice gets the same id)."""
    digest = hashlib.sha256(f"{kind}\n{token or ''}\n{url or ''}".encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()[:26]


async def remember_file(
    session: AsyncSession,
    *,
    kind: str,
    token: str | None,
    url: str | None,
    filename: str | None = None,
    size: int | None = None,
) -> str:
    """Store a file MAX showed us; returns its short id."""
    short = short_file_id(kind, token, url)
    ref = await session.get(MaxFileRef, short)
    if ref is not None:
        if url and ref.url != url:
            ref.url = url
        return short
    name = filename[:255] if filename else None
    session.add(MaxFileRef(id=short, kind=kind, token=token, url=url, filename=name, size=size))
    await session.flush()  # IntegrityError on a race: the caller retries
    return short


async def file_ref(session: AsyncSession, short_id: str) -> MaxFileRef | None:
    return await session.get(MaxFileRef, short_id)
