"""The dispatcher's list of published outages (planned ones ahead and active ones), paged."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Outage, OutageBuilding
from services.errors import InvalidInput, NotFound
from services.outages.lifecycle import PUBLISHED
from services.streamed import rows_by_ids


async def published_outages(
    session: AsyncSession, resource: str | None = None, *, offset: int = 0, limit: int | None = None
) -> Sequence[Outage]:
    """Active and planned outages, those that began first first."""
    query = select(Outage).where(Outage.status.in_(PUBLISHED)).order_by(Outage.starts_at, Outage.id)
    if resource is not None:
        query = query.where(Outage.resource == resource)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return (await session.scalars(query)).all()


async def count_published(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).where(Outage.status.in_(PUBLISHED))) or 0


async def house_counts(session: AsyncSession, outage_ids: Sequence[int]) -> dict[int, int]:
    """Buildings still affected, per outage."""
    rows = await rows_by_ids(
        session,
        outage_ids,
        lambda chunk: (
            select(OutageBuilding.outage_id, func.count())
            .where(OutageBuilding.outage_id.in_(chunk), OutageBuilding.removed_at.is_(None))
            .group_by(OutageBuilding.outage_id)
        ),
    )
    return {outage_id: n for outage_id, n in rows}


async def published_outage(session: AsyncSession, outage_id: int) -> Outage:
    """A published outage, e.g. for linking reports to; refused when missing or closed."""
    outage = await session.get(Outage, outage_id)
    if outage is None:
        raise NotFound("Outage not found.")
    if outage.status not in PUBLISHED:
        raise InvalidInput("The outage is already closed.")
    return outage
