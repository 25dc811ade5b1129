"""The registry of approved objects («памятники науки и техники»): an entry per approved application
of a ``to_registry`` type, numbered, published by default. Entries are made here only (``decide``
calls ``add_approved``); reading, publishing and editing them is the council's registry
(``services/council/registry.py``) with its public page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, RegistryEntry, utcnow
from services.audit import Actor, record
from services.errors import InvalidInput

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
    session: AsyncSession,
    application: Application,
    *,
    actor: Actor,
    today: date,
    meeting_id: int | None = None,
) -> RegistryEntry:
    """The entry of an approved application (once: a second approval returns the same entry).
    ``today`` is the institution's local date: it is the approval date and the number's year."""
    existing = await session.scalar(
        select(RegistryEntry).where(RegistryEntry.application_id == application.id)
    )
    if existing is not None:
        return existing
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
