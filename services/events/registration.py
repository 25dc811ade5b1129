"""Registration for an event: capacity, the waiting list, confirmations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import EventRegistration
from services.audit import Actor


async def register(
    session: AsyncSession,
    *,
    event_id: int,
    correspondent_id: int,
    actor: Actor,
    telegram_id: int | None = None,
    email: str | None = None,
    submission_id: int | None = None,
    seats: int = 1,
    locale: str | None = None,
) -> EventRegistration:
    """Register a person (a seat, or the waiting list when full); the confirmation is queued.

    Contract used by ``services.forms`` for forms of purpose ``event``. A repeated registration of
    the same person returns the existing row. Raises ``DomainError`` when registration is closed.
    """
    raise NotImplementedError  # the events helper builds it
