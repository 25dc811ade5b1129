"""Residents' reports of problems that are not a utility outage: a fallen tree, a sewer break, a pothole.

They are ``OutageSignal`` rows with ``resource = INCIDENT_SIGNAL`` and ``incident_kind`` set, so they
share the report's life (NEW → LINKED to an incident, or DISMISSED) and its audit trail, but they wait
in their own queue: the outage queue leaves them out, the dispatcher sees them under «Incidents».
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, OutageSignal
from models.enums import IncidentKind, SignalStatus
from services.errors import InvalidInput
from services.incidents.journal import INCIDENT_SIGNAL
from services.outages.signals import address_key, queue_signal


@dataclass(slots=True)
class IncidentSignalGroup:
    """Waiting reports of one kind at one house (or one unrecognised address text)."""

    kind: str
    building: Building | None
    address_text: str | None
    signal_ids: list[int] = field(default_factory=list)
    telegram_ids: list[int] = field(default_factory=list)  # authors, oldest report first
    texts: list[str] = field(default_factory=list)
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.signal_ids)


async def report_incident_signal(
    session: AsyncSession,
    telegram_id: int,
    building_id: int | None,
    address_text: str | None,
    kind: str,
    text: str = "",
    *,
    now: datetime | None = None,
) -> OutageSignal:
    """Queue a resident's report of an incident; the same one still waiting is not doubled."""
    if kind not in set(IncidentKind):
        raise InvalidInput("Unknown incident kind.")
    return await queue_signal(
        session, telegram_id, building_id, address_text, INCIDENT_SIGNAL, text, incident_kind=kind, now=now
    )


async def incident_signal_queue(session: AsyncSession) -> list[IncidentSignalGroup]:
    """Waiting incident reports grouped by (kind, house or address text), biggest and oldest first."""
    signals = (
        await session.scalars(
            select(OutageSignal)
            .where(OutageSignal.status == SignalStatus.NEW, OutageSignal.resource == INCIDENT_SIGNAL)
            .order_by(OutageSignal.created_at, OutageSignal.id)
        )
    ).all()
    building_ids = {s.building_id for s in signals if s.building_id is not None}
    buildings = (
        {
            b.id: b
            for b in (await session.scalars(select(Building).where(Building.id.in_(building_ids)))).all()
        }
        if building_ids
        else {}
    )
    groups: dict[tuple[object, ...], IncidentSignalGroup] = {}
    for s in signals:
        kind = s.incident_kind or IncidentKind.OTHER
        key: tuple[object, ...] = (
            (kind, s.building_id) if s.building_id is not None else (kind, None, address_key(s.address_text))
        )
        g = groups.get(key)
        if g is None:
            g = groups[key] = IncidentSignalGroup(
                kind, buildings.get(s.building_id or 0), None if s.building_id else s.address_text
            )
            g.first_at = s.created_at
        g.signal_ids.append(s.id)
        if s.telegram_id is not None:
            g.telegram_ids.append(s.telegram_id)
        if s.text:
            g.texts.append(s.text)
        g.last_at = s.created_at
    return sorted(groups.values(), key=lambda g: (-g.count, g.signal_ids[0]))


async def incident_signal_group(session: AsyncSession, signal_id: int) -> IncidentSignalGroup | None:
    """The waiting group holding ``signal_id`` now (None: handled meanwhile, or not an incident report)."""
    return next((g for g in await incident_signal_queue(session) if signal_id in g.signal_ids), None)
