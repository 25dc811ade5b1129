"""Corrections of a logged incident, from the bot's card and the panel alike: its cause (often
known only later), its place and its expected end.

Like the journal's commands: reload, re-check the dispatcher role, refuse a closed incident, audit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Incident, User, utcnow
from services.audit import record
from services.errors import InvalidInput, NotFound
from services.incidents.journal import OPEN, TEXT_LIMIT, get_incident
from services.outages.lifecycle import require_dispatcher

ADDRESS_LIMIT = 500


def _open(incident: Incident) -> None:
    if incident.status not in OPEN:
        raise InvalidInput("The incident is already closed.")


async def set_cause(
    session: AsyncSession, user: User, incident_id: int, cause: str, *, now: datetime | None = None
) -> Incident:
    actor = require_dispatcher(user)
    incident = await get_incident(session, incident_id)
    _open(incident)
    cause = cause.strip()
    if len(cause) > TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT, field="cause")
    if cause == incident.cause:
        return incident
    old = incident.cause
    incident.cause = cause
    incident.updated_at = now or utcnow()
    record(session, actor, "incident", incident.id, "cause", data={"old": old, "new": cause})
    await session.flush()
    return incident


async def set_place(
    session: AsyncSession,
    user: User,
    incident_id: int,
    *,
    building_id: int | None,
    address_text: str | None,
    latitude: float | None,
    longitude: float | None,
    now: datetime | None = None,
) -> Incident:
    """A house from the register, a description of the place and/or a map point; at least one."""
    actor = require_dispatcher(user)
    incident = await get_incident(session, incident_id)
    _open(incident)
    address = (address_text or "").strip() or None
    if address is not None and len(address) > ADDRESS_LIMIT:
        raise InvalidInput(
            "The text is too long: at most %(n)d characters.", n=ADDRESS_LIMIT, field="address_text"
        )
    if (latitude is None) != (longitude is None) or (
        latitude is not None and not (-90 <= latitude <= 90 and -180 <= (longitude or 0) <= 180)
    ):
        raise InvalidInput("The map point is not valid.", field="latitude")
    building = await session.get(Building, building_id) if building_id is not None else None
    if building_id is not None and building is None:
        raise NotFound("Building not found.", field="building_id")
    if building is None and address is None and latitude is None:
        raise InvalidInput(
            "Give the place: an address from the register, a description or a map point.",
            field="address_text",
        )
    if latitude is None and building is not None:
        latitude, longitude = building.latitude, building.longitude
    old = {"building": incident.building_id, "address": incident.address_text}
    incident.building_id = building_id
    incident.address_text = address
    incident.latitude, incident.longitude = latitude, longitude
    incident.updated_at = now or utcnow()
    record(
        session,
        actor,
        "incident",
        incident.id,
        "place",
        data={"old": old, "new": {"building": building_id, "address": address}},
    )
    await session.flush()
    return incident


async def set_expected_end(
    session: AsyncSession,
    user: User,
    incident_id: int,
    expected_end_at: datetime | None,
    *,
    now: datetime | None = None,
) -> Incident:
    """A new expected end (None: not known any more); it must lie ahead."""
    actor = require_dispatcher(user)
    now = now or utcnow()
    incident = await get_incident(session, incident_id)
    _open(incident)
    if expected_end_at is not None and expected_end_at <= now:
        raise InvalidInput("The expected end must be in the future.", field="expected_end_at")
    old = incident.expected_end_at
    if old == expected_end_at:
        return incident
    incident.expected_end_at = expected_end_at
    incident.updated_at = now
    record(
        session,
        actor,
        "incident",
        incident.id,
        "expected_end",
        data={
            "old": old.isoformat() if old else None,
            "new": expected_end_at.isoformat() if expected_end_at else None,
        },
    )
    await session.flush()
    return incident
