"""Read-only queries behind the panel's outage pages: the registry, outage lists and timelines.

The views only parse the request and render; every change goes through ``lifecycle``/``signals``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditEvent,
    Building,
    Outage,
    OutageBuilding,
    OutageSignal,
    OutboxMessage,
    Subscription,
    User,
)
from models.enums import OutageStatus
from services.addresses import search_buildings
from services.outages.notices import batch_name
from services.outbox import BatchProgress, batch_progress
from services.streamed import listed
from services.text_search import contains, plan_with_values

T = TypeVar("T")
SEARCH_MAX = 500  # a search answers with at most this many houses before the filters and pages


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)


async def buildings_page(
    session: AsyncSession, text: str, *, social_only: bool, kind: str | None, number: int, size: int
) -> Page[Building]:
    """The registry, or the houses a search finds (typos and ranges as in the bot), filtered."""
    if text:
        found = [
            b
            for b in await search_buildings(session, text, limit=SEARCH_MAX)
            if (not social_only or b.is_social) and (kind is None or b.kind == kind)
        ]
        start = (number - 1) * size
        return Page(found[start : start + size], len(found), number, size)
    query = registry_query(social_only=social_only, kind=kind)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    query = query.offset((number - 1) * size).limit(size)
    return Page(await listed(session, query, limit=size), total, number, size)


def registry_query(*, social_only: bool, kind: str | None) -> Select[tuple[Building]]:
    """The address registry (social objects only, one kind), by street and house number."""
    query = select(Building)
    if social_only:
        query = query.where(Building.is_social.is_(True))
    if kind is not None:
        query = query.where(Building.kind == kind)
    return query.order_by(Building.street_key, Building.house_number, Building.house_key, Building.id)


async def subscriber_count(session: AsyncSession, building_id: int) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(Subscription).where(Subscription.building_id == building_id)
        )
        or 0
    )


@dataclass(frozen=True, slots=True)
class BuildingOutage:
    outage: Outage
    removed_at: datetime | None  # the house was taken off the outage at this time


async def outages_of_building(
    session: AsyncSession, building_id: int, limit: int = 100
) -> list[BuildingOutage]:
    rows = await session.execute(
        select(Outage, OutageBuilding.removed_at)
        .join(OutageBuilding, OutageBuilding.outage_id == Outage.id)
        .where(OutageBuilding.building_id == building_id)
        .order_by(Outage.starts_at.desc(), Outage.id.desc())
        .limit(limit)
    )
    return [BuildingOutage(o, removed) for o, removed in rows.all()]


@dataclass(frozen=True, slots=True)
class OutageFilter:
    resource: str | None = None
    status: str | None = None
    start: datetime | None = None  # the outage lasted at some moment in [start, end)
    end: datetime | None = None
    text: str | None = None  # a fragment of the description
    sort: str | None = None  # one of OUTAGE_SORT_KEYS; None: active first, then the most recent
    desc: bool = False


OUTAGE_SORT_KEYS = {
    "number": Outage.id,
    "resource": Outage.resource,
    "status": Outage.status,
    "start": Outage.starts_at,
}


async def outages_query(session: AsyncSession, f: OutageFilter) -> Select[tuple[Outage]]:
    """The list's outages for ``f``, in its order: active first, then the most recent (or by
    ``f.sort``)."""
    query = select(Outage)
    if f.resource:
        query = query.where(Outage.resource == f.resource)
    if f.status:
        query = query.where(Outage.status == f.status)
    if f.end is not None:
        query = query.where(Outage.starts_at < f.end)
    if f.start is not None:
        query = query.where(or_(Outage.ended_at.is_(None), Outage.ended_at >= f.start))
    if f.text:
        query = query.where(contains(session, Outage.description, f.text))
        await plan_with_values(session)
    column = OUTAGE_SORT_KEYS.get(f.sort or "")
    if column is None:
        active_first = case((Outage.status == OutageStatus.ACTIVE, 0), else_=1)
        return query.order_by(active_first, Outage.starts_at.desc(), Outage.id.desc())
    return (
        query.order_by(column.desc(), Outage.id.desc())
        if f.desc
        else query.order_by(column.asc(), Outage.id.asc())
    )


async def outages_page(session: AsyncSession, f: OutageFilter, *, number: int, size: int) -> Page[Outage]:
    """One page of ``outages_query`` and the total."""
    query = await outages_query(session, f)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = await listed(session, query.offset((number - 1) * size).limit(size), limit=size)
    return Page(rows, total, number, size)


@dataclass(frozen=True, slots=True)
class SignalRow:
    signal: OutageSignal
    building: Building | None


async def linked_signals(session: AsyncSession, outage_id: int) -> list[SignalRow]:
    """Residents' reports tied to the outage (also those that came back after it was resolved)."""
    rows = await session.execute(
        select(OutageSignal, Building)
        .outerjoin(Building, Building.id == OutageSignal.building_id)
        .where(OutageSignal.outage_id == outage_id)
        .order_by(OutageSignal.created_at, OutageSignal.id)
    )
    return [SignalRow(s, b) for s, b in rows.all()]


async def timeline(session: AsyncSession, outage_id: int, signal_ids: Sequence[int]) -> list[AuditEvent]:
    """The outage's own events and the linking of its signals, oldest first."""
    condition = (AuditEvent.entity_type == "outage") & (AuditEvent.entity_id == outage_id)
    if signal_ids:
        condition = condition | (
            (AuditEvent.entity_type == "outage_signal")
            & AuditEvent.entity_id.in_(list(signal_ids)[:500])
            & (AuditEvent.action == "link")
        )
    rows = await session.scalars(select(AuditEvent).where(condition).order_by(AuditEvent.at, AuditEvent.id))
    return list(rows.all())


async def user_names(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows.all()}


@dataclass(frozen=True, slots=True)
class BatchRow:
    batch: str
    event: str  # publish, extend, add, remove, resolve, cancel, warn, start
    started_at: datetime
    progress: BatchProgress

    @property
    def percent(self) -> int:
        p = self.progress
        return round(100 * (p.total - p.pending) / p.total) if p.total else 100


async def outage_batches(session: AsyncSession, outage_id: int) -> list[BatchRow]:
    """Each notice batch of the outage (``outage:<id>:<event>[-e<audit id>]``) with its progress."""
    prefix = batch_name(outage_id, "")
    outage = await session.get(Outage, outage_id)
    since = outage.created_at if outage is not None else None
    rows = await session.execute(
        select(OutboxMessage.batch, func.min(OutboxMessage.created_at))
        # The prefix match alone reads the whole outbox's history; its notices come after the outage.
        .where(
            OutboxMessage.batch.like(prefix + "%"), *([OutboxMessage.created_at >= since] if since else [])
        )
        .group_by(OutboxMessage.batch)
        .order_by(func.min(OutboxMessage.created_at), OutboxMessage.batch)
    )
    result = []
    for batch, started in rows.all():
        tag = batch[len(prefix) :]
        result.append(BatchRow(batch, tag.split("-e", 1)[0], started, await batch_progress(session, batch)))
    return result
