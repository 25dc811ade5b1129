"""Tags on CRM cards: set by forms and by clerks, filtered by segments.

A tag is stored casefolded and trimmed (Cyrillic aware), so «Дети» and «дети » are one tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CorrespondentTag
from services.audit import Actor, record
from services.errors import InvalidInput

TAG_MAX = 64


def normalize(tag: str) -> str:
    return " ".join(tag.split()).casefold()[:TAG_MAX]


def parse(text: str) -> list[str]:
    """Tags typed in one field, separated by commas or new lines; empty and repeated ones dropped."""
    seen: dict[str, None] = {}
    for part in text.replace("\n", ",").split(","):
        tag = normalize(part)
        if tag:
            seen[tag] = None
    return list(seen)


async def tags_of(session: AsyncSession, correspondent_id: int) -> list[str]:
    rows = await session.scalars(
        select(CorrespondentTag.tag)
        .where(CorrespondentTag.correspondent_id == correspondent_id)
        .order_by(CorrespondentTag.tag)
    )
    return list(rows)


async def all_tags(session: AsyncSession) -> Sequence[str]:
    """Every tag in use, for pickers."""
    rows = await session.scalars(select(CorrespondentTag.tag).distinct().order_by(CorrespondentTag.tag))
    return list(rows)


async def add(
    session: AsyncSession,
    correspondent_id: int,
    tags: Iterable[str],
    *,
    source: str,
    actor: Actor,
) -> list[str]:
    """Put tags on a card; ones it has are left as they are. Returns the tags that were new."""
    wanted = [t for t in dict.fromkeys(normalize(t) for t in tags) if t]
    if not wanted:
        return []
    have = set(await tags_of(session, correspondent_id))
    new = [t for t in wanted if t not in have]
    for tag in new:
        session.add(CorrespondentTag(correspondent_id=correspondent_id, tag=tag, source=source[:32]))
    if new:
        record(
            session,
            actor,
            "correspondent",
            correspondent_id,
            "tags_added",
            data={"tags": new, "source": source},
        )
        await session.flush()
    return new


async def remove(session: AsyncSession, correspondent_id: int, tag: str, *, actor: Actor) -> None:
    tag = normalize(tag)
    if not tag:
        raise InvalidInput("Empty tag.")
    result = await session.execute(
        delete(CorrespondentTag).where(
            CorrespondentTag.correspondent_id == correspondent_id, CorrespondentTag.tag == tag
        )
    )
    if result.rowcount:
        record(session, actor, "correspondent", correspondent_id, "tag_removed", data={"tag": tag})
