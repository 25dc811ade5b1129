"""Streets matching what a dispatcher typed, for picking a street before its houses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building
from services.addresses.normalize import normalize_street
from services.addresses.search import rank_streets

STREET_LIMIT = 8


def _house_order(b: Building) -> tuple[bool, int, str]:
    return (b.house_number is None, b.house_number or 0, b.house_key)


async def find_streets(session: AsyncSession, text: str, *, limit: int = STREET_LIMIT) -> list[Building]:
    """One building per matching street (its lowest-numbered house), best match first.

    The building stands for its street: a button can carry its id instead of a long street name.
    """
    key = normalize_street(text)
    if not key:
        return []
    keys = rank_streets(key, (await session.scalars(select(Building.street_key).distinct())).all())[:limit]
    if not keys:
        return []
    first: dict[str, Building] = {}
    for b in (await session.scalars(select(Building).where(Building.street_key.in_(keys)))).all():
        if b.street_key not in first or _house_order(b) < _house_order(first[b.street_key]):
            first[b.street_key] = b
    return [first[k] for k in keys if k in first]
