"""The registry of approved objects: the public list (published entries only, searched by title,
holder or region, paged) and its staff side (publish, unpublish, edit the description and region).

Entries hold no personal data: the object, the museum that keeps it, the region, the approval date.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import RegistryEntry
from services import audit
from services.audit import Actor
from services.council.meetings import organiser
from services.errors import InvalidInput, NotFound
from services.notify import N_
from services.text_search import contains

PAGE_SIZE = 20
SEARCH_LIMIT = 100
DESCRIPTION_LIMIT = 8000
REGION_LIMIT = 255


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[RegistryEntry]
    total: int
    page: int
    pages: int


def _search(session: AsyncSession, query: str):  # type: ignore[no-untyped-def]
    fragment = query.strip()[:SEARCH_LIMIT]
    if not fragment:
        return None
    columns = (RegistryEntry.title, RegistryEntry.holder, RegistryEntry.region)
    return or_(*(contains(session, c, fragment) for c in columns))


async def search(
    session: AsyncSession, query: str = "", *, page: int = 1, published_only: bool = True
) -> Page:
    conditions = [RegistryEntry.published.is_(True)] if published_only else []
    clause = _search(session, query)
    if clause is not None:
        conditions.append(clause)
    total = await session.scalar(select(func.count()).select_from(RegistryEntry).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(page, pages))
    rows = await session.scalars(
        select(RegistryEntry)
        .where(*conditions)
        .order_by(RegistryEntry.approved_on.desc(), RegistryEntry.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return Page(list(rows), total, page, pages)


async def public_entry(session: AsyncSession, entry_id: int) -> RegistryEntry | None:
    entry = await session.get(RegistryEntry, entry_id)
    return entry if entry is not None and entry.published else None


async def _entry(session: AsyncSession, entry_id: int) -> RegistryEntry:
    entry = await session.get(RegistryEntry, entry_id)
    if entry is None:
        raise NotFound(N_("No such registry entry."))
    return entry


async def set_published(session: AsyncSession, actor: Actor, entry_id: int, published: bool) -> RegistryEntry:
    await organiser(session, actor)
    entry = await _entry(session, entry_id)
    old = "published" if entry.published else "hidden"
    entry.published = published
    audit.record(
        session,
        actor,
        "registry_entry",
        entry.id,
        "publish" if published else "unpublish",
        old_state=old,
        new_state="published" if published else "hidden",
    )
    return entry


async def edit_entry(
    session: AsyncSession, actor: Actor, entry_id: int, *, description: str, region: str
) -> RegistryEntry:
    await organiser(session, actor)
    entry = await _entry(session, entry_id)
    description, region = description.strip(), region.strip()
    if len(description) > DESCRIPTION_LIMIT or len(region) > REGION_LIMIT:
        raise InvalidInput(N_("The description or the region is too long."))
    before = {"description": entry.description, "region": entry.region}
    entry.description, entry.region = description, region
    audit.record(
        session,
        actor,
        "registry_entry",
        entry.id,
        "edit",
        data={"before": before, "after": {"description": description, "region": region}},
    )
    return entry
