"""The building nearest to a point (a resident's shared location), within a radius.

SQL narrows the search to a latitude/longitude box around the point (an index on
``(latitude, longitude)`` serves it); the exact great-circle distance is computed in Python.
"""

from __future__ import annotations

import math

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building

EARTH_RADIUS_M = 6_371_008.8  # mean radius
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180
DEFAULT_MAX_DISTANCE_M = 300.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _lon_filter(lon: float, dlon: float) -> ColumnElement[bool]:
    low, high = lon - dlon, lon + dlon
    if dlon >= 180:
        return Building.longitude.is_not(None)
    # Chukotka straddles the 180th meridian: a box crossing it is two ranges.
    if low < -180:
        return or_(Building.longitude >= low + 360, Building.longitude <= high)
    if high > 180:
        return or_(Building.longitude >= low, Building.longitude <= high - 360)
    return Building.longitude.between(low, high)


async def nearest_building(
    session: AsyncSession, lat: float, lon: float, *, max_distance_m: float = DEFAULT_MAX_DISTANCE_M
) -> tuple[Building, float] | None:
    """The closest building with coordinates within ``max_distance_m``, and its distance in metres."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or max_distance_m < 0:
        return None
    dlat = max_distance_m / METRES_PER_DEGREE_LAT
    # A degree of longitude shrinks towards the poles; near them, take every longitude.
    cos_lat = math.cos(math.radians(min(89.9, abs(lat) + dlat)))
    dlon = dlat / cos_lat if cos_lat > 0 else 360.0
    query = select(Building).where(
        and_(Building.latitude.between(lat - dlat, lat + dlat), _lon_filter(lon, dlon))
    )
    best: tuple[Building, float] | None = None
    for building in (await session.scalars(query)).all():
        if building.latitude is None or building.longitude is None:
            continue
        distance = haversine_m(lat, lon, building.latitude, building.longitude)
        # Ties go to the lower id, so the answer does not depend on the backend's row order.
        if distance <= max_distance_m and (best is None or (distance, building.id) < (best[1], best[0].id)):
            best = (building, distance)
    return best
