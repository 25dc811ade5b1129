"""The registry of approved objects («памятники науки и техники»): an entry per approved application
of a ``to_registry`` type, numbered, published by default; the public page reads ``public_entries``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, RegistryEntry, User, utcnow
from services.applications.access import require_manager
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound

PAGE_SIZE = 20
QUERY_MAX = 100
NUMBER_RETRIES = 8


async def _next_number(session: AsyncSession, year: int) -> str:
    prefix = f"Р-{year}-"
    numbers = await session.scalars(
        select(RegistryEntry.number).where(RegistryEntry.number.like(f"{prefix}%"))
    )
    top = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{top + 1:04d}"


async def add_approved(
    session: AsyncSession, application: Application, *, actor: Actor, meeting_id: int | None = None
) -> RegistryEntry:
    """The entry of an approved application (once: a second approval returns the same entry)."""
    existing = await session.scalar(
        select(RegistryEntry).where(RegistryEntry.application_id == application.id)
    )
    if existing is not None:
        return existing
    today = utcnow().date()
    entry = RegistryEntry(
        application_id=application.id,
        meeting_id=meeting_id,
        title=application.title,
        holder=application.applicant_org,
        description=application.summary,
        approved_on=today,
        published=True,
        created_at=utcnow(),
    )
    for _attempt in range(NUMBER_RETRIES):
        entry.number = await _next_number(session, today.year)
        try:
            async with session.begin_nested():
                session.add(entry)
                await session.flush()
            break
        except IntegrityError:
            if entry in session:
                session.expunge(entry)
    else:
        raise InvalidInput("Could not number the registry entry; please try again.")
    record(
        session,
        actor,
        "registry_entry",
        entry.id,
        "created",
        data={"number": entry.number, "application_id": application.id},
    )
    return entry


async def set_published(
    session: AsyncSession, entry_id: int, published: bool, *, actor: User
) -> RegistryEntry:
    require_manager(actor)
    entry = await session.get(RegistryEntry, entry_id)
    if entry is None:
        raise NotFound("Registry entry not found.")
    if entry.published != published:
        old = "published" if entry.published else "hidden"
        entry.published = published
        record(
            session,
            Actor(user_id=actor.id),
            "registry_entry",
            entry.id,
            "published" if published else "unpublished",
            old_state=old,
            new_state="published" if published else "hidden",
        )
    return entry


async def publish(session: AsyncSession, entry_id: int, *, actor: User) -> RegistryEntry:
    return await set_published(session, entry_id, True, actor=actor)


async def unpublish(session: AsyncSession, entry_id: int, *, actor: User) -> RegistryEntry:
    return await set_published(session, entry_id, False, actor=actor)


@dataclass(frozen=True, slots=True)
class RegistryPage:
    entries: list[RegistryEntry]
    total: int
    page: int
    pages: int


async def public_entries(session: AsyncSession, q: str | None = None, page: int = 1) -> RegistryPage:
    """Published entries, newest approval first, matching ``q`` in the title, holder, region or number."""
    condition = [RegistryEntry.published.is_(True)]
    text = (q or "").strip()[:QUERY_MAX]
    if text:
        # As typed and lower-cased: SQLite's lower() leaves Cyrillic as it is.
        exact, lowered = f"%{text}%", f"%{text.lower()}%"
        columns = (RegistryEntry.title, RegistryEntry.holder, RegistryEntry.region, RegistryEntry.number)
        condition.append(
            or_(*(c.like(exact) for c in columns), *(func.lower(c).like(lowered) for c in columns))
        )
    total = int(await session.scalar(select(func.count(RegistryEntry.id)).where(*condition)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = await session.scalars(
        select(RegistryEntry)
        .where(*condition)
        .order_by(RegistryEntry.approved_on.desc(), RegistryEntry.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return RegistryPage(list(rows), total, page, pages)


async def all_entries(session: AsyncSession) -> list[RegistryEntry]:
    return list(await session.scalars(select(RegistryEntry).order_by(RegistryEntry.id.desc())))


def approved_on_text(day: date) -> str:
    return day.strftime("%d.%m.%Y")
