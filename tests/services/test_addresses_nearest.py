"""The building nearest to a shared location, within a radius (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building
from services.addresses.nearest import METRES_PER_DEGREE_LAT, haversine_m, nearest_building

LAT, LON = 55.7558, 37.6173
NORTH_100M = 100 / METRES_PER_DEGREE_LAT


def _building(house: str, lat: float | None, lon: float | None, street: str = "ленина") -> Building:
    return Building(
        street=street,
        street_key=street,
        house=house,
        house_key=house,
        house_number=int(house),
        latitude=lat,
        longitude=lon,
    )


@pytest.fixture
async def town(session: AsyncSession) -> None:
    session.add_all(
        [
            _building("5", LAT, LON),
            _building("7", LAT + NORTH_100M, LON),
            _building("9", None, None),  # not geocoded yet: never a candidate
            # Chukotka, on both sides of the 180th meridian (~47 m apart at this latitude).
            _building("1", 65.0, 179.9995, street="чукотская"),
            _building("2", 65.0, -179.9995, street="чукотская"),
        ]
    )
    await session.flush()


def test_haversine() -> None:
    assert haversine_m(LAT, LON, LAT, LON) == 0
    assert haversine_m(LAT, LON, LAT + NORTH_100M, LON) == pytest.approx(100, abs=0.01)
    # Moscow → Saint Petersburg, about 634 km.
    assert haversine_m(55.7558, 37.6173, 59.9343, 30.3351) == pytest.approx(634_000, rel=0.01)


async def test_nearest_within_the_radius(town: None, session: AsyncSession) -> None:
    found = await nearest_building(session, LAT + 20 / METRES_PER_DEGREE_LAT, LON)
    assert found is not None
    building, distance = found
    assert building.house_key == "5"
    assert distance == pytest.approx(20, abs=0.1)

    found = await nearest_building(session, LAT + 70 / METRES_PER_DEGREE_LAT, LON + 0.0001)
    assert found is not None and found[0].house_key == "7"


async def test_nothing_within_the_radius(town: None, session: AsyncSession) -> None:
    one_km_south = LAT - 1000 / METRES_PER_DEGREE_LAT
    assert await nearest_building(session, one_km_south, LON) is None
    assert await nearest_building(session, LAT, LON + 0.01) is None  # ~630 m east
    found = await nearest_building(session, one_km_south, LON, max_distance_m=1500)
    assert found is not None and found[0].house_key == "5"
    assert found[1] == pytest.approx(1000, abs=1)


async def test_a_building_just_inside_the_radius_counts(town: None, session: AsyncSession) -> None:
    found = await nearest_building(session, LAT - 300 / METRES_PER_DEGREE_LAT, LON, max_distance_m=300.5)
    assert found is not None and found[0].house_key == "5"


async def test_across_the_180th_meridian(town: None, session: AsyncSession) -> None:
    found = await nearest_building(session, 65.0, -179.9999)
    assert found is not None and found[0].house_key == "2"
    found = await nearest_building(session, 65.0, 179.9999)
    assert found is not None and found[0].house_key == "1"
    assert found[1] < 50


async def test_bad_input_finds_nothing(town: None, session: AsyncSession) -> None:
    assert await nearest_building(session, 95.0, LON) is None
    assert await nearest_building(session, LAT, 200.0) is None
