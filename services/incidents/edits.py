"""Small corrections of a logged incident the journal's core does not cover: its cause.

Like the core's commands, each reloads the incident, re-checks the dispatcher's role and writes an
audit event, so a stale card or a forged press cannot change a closed incident.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import Incident, User, utcnow
from services.audit import record
from services.errors import InvalidInput
from services.incidents.journal import OPEN, TEXT_LIMIT, get_incident
from services.outages.lifecycle import require_dispatcher


async def set_cause(
    session: AsyncSession, user: User, incident_id: int, cause: str, *, now: datetime | None = None
) -> Incident:
    """Record (or correct) the cause found; an empty text clears it."""
    actor = require_dispatcher(user)
    incident = await get_incident(session, incident_id)
    if incident.status not in OPEN:
        raise InvalidInput("The incident is already closed.")
    cause = cause.strip()
    if len(cause) > TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT)
    old = incident.cause
    if old == cause:
        return incident
    incident.cause = cause
    incident.updated_at = now or utcnow()
    record(session, actor, "incident", incident.id, "cause", data={"from": old, "to": cause})
    await session.flush()
    return incident
