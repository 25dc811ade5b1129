"""Who is without what: the current picture and the outage log for a period.

House-hours count each house for the time it was actually in the outage: houses listed when it was
published count from its start, houses added later from when they were added, removed ones until
their removal; an outage still running counts up to ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Outage, OutageBuilding
from models.enums import OutageStatus
from services.outages.resources import enabled_resources, social_key

HOUR = timedelta(hours=1)


def _count_social(target: dict[str, int], b: Building) -> None:
    if b.is_social or b.social_type:
        key = social_key(b.social_type)
        target[key] = target.get(key, 0) + 1


@dataclass(slots=True)
class OutageImpact:
    outage: Outage
    houses: int = 0
    social: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ResourceImpact:
    resource: str
    houses: int = 0  # distinct houses across the resource's outages
    social: dict[str, int] = field(default_factory=dict)
    outages: list[OutageImpact] = field(default_factory=list)


@dataclass(slots=True)
class CurrentSummary:
    resources: list[ResourceImpact]  # every configured resource, also those with nothing cut off
    houses: int  # distinct houses without at least one resource
    social: dict[str, int]


async def current_summary(session: AsyncSession, resources: str | None = None) -> CurrentSummary:
    rows = (
        await session.execute(
            select(Outage, Building)
            .join(OutageBuilding, OutageBuilding.outage_id == Outage.id)
            .join(Building, Building.id == OutageBuilding.building_id)
            .where(Outage.status == OutageStatus.ACTIVE, OutageBuilding.removed_at.is_(None))
            .order_by(Outage.starts_at, Outage.id)
        )
    ).all()
    by_resource = {r.code: ResourceImpact(r.code) for r in enabled_resources(resources)}
    impacts: dict[int, OutageImpact] = {}
    seen: dict[str, set[int]] = {}
    everywhere: dict[int, Building] = {}
    for outage, building in rows:
        res = by_resource.setdefault(outage.resource, ResourceImpact(outage.resource))
        impact = impacts.get(outage.id)
        if impact is None:
            impact = impacts[outage.id] = OutageImpact(outage)
            res.outages.append(impact)
        impact.houses += 1
        _count_social(impact.social, building)
        if building.id not in seen.setdefault(outage.resource, set()):
            seen[outage.resource].add(building.id)
            res.houses += 1
            _count_social(res.social, building)
        everywhere[building.id] = building
    social: dict[str, int] = {}
    for b in everywhere.values():
        _count_social(social, b)
    return CurrentSummary(list(by_resource.values()), len(everywhere), social)


@dataclass(slots=True)
class LogEntry:
    outage: Outage
    buildings: list[Building]  # every house that was in the outage for some time
    social: dict[str, int]
    duration: timedelta  # start to end, or to ``now`` while it lasts
    house_hours: float

    @property
    def houses(self) -> int:
        return len(self.buildings)


def _house_interval(outage: Outage, link: OutageBuilding, stop: datetime) -> timedelta:
    original = outage.published_at is None or link.added_at <= outage.published_at
    begin = outage.starts_at if original else max(link.added_at, outage.starts_at)
    end = min(link.removed_at, stop) if link.removed_at is not None else stop
    return max(end - begin, timedelta(0))


async def outage_log(session: AsyncSession, start: datetime, end: datetime, now: datetime) -> list[LogEntry]:
    """Outages that began in [start, end) and really happened (active or resolved)."""
    outages = (
        await session.scalars(
            select(Outage)
            .where(
                Outage.status.in_([OutageStatus.ACTIVE, OutageStatus.RESOLVED]),
                Outage.starts_at >= start,
                Outage.starts_at < end,
            )
            .order_by(Outage.starts_at, Outage.id)
        )
    ).all()
    if not outages:
        return []
    links = (
        await session.execute(
            select(OutageBuilding, Building)
            .join(Building, Building.id == OutageBuilding.building_id)
            .where(OutageBuilding.outage_id.in_([o.id for o in outages]))
            .order_by(Building.street_key, Building.house_number, Building.house_key)
        )
    ).all()
    per_outage: dict[int, list[tuple[OutageBuilding, Building]]] = {}
    for link, building in links:
        per_outage.setdefault(link.outage_id, []).append((link, building))
    entries = []
    for o in outages:
        stop = o.ended_at or now
        buildings: list[Building] = []
        social: dict[str, int] = {}
        total = timedelta(0)
        for link, building in per_outage.get(o.id, []):
            span = _house_interval(o, link, stop)
            if span <= timedelta(0):
                continue  # removed before the outage began
            total += span
            buildings.append(building)
            _count_social(social, building)
        entries.append(LogEntry(o, buildings, social, max(stop - o.starts_at, timedelta(0)), total / HOUR))
    return entries
