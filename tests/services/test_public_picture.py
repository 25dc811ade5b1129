"""The public picture's service: a big day (30 outages of 200 houses each) costs a fixed handful of
queries, the groups come out in order, and nothing else than the public fields is there."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import Building, DispatchUpdate, Incident, Outage, OutageBuilding
from models.enums import IncidentStatus, OutageKind, OutageStatus, UpdateKind, UpdatePublish
from services.errors import InvalidInput
from services.incidents.public import (
    House,
    PublicIncident,
    PublicOutage,
    current_picture,
)

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
RESOURCES = ("hot_water", "cold_water", "heating", "electricity", "gas", "sewerage")
OUTAGES, HOUSES_EACH = 30, 200


async def _big_day(session: AsyncSession) -> None:
    await session.execute(
        insert(Building),
        [
            {
                "id": n + 1,
                "street": f"ул. Улица {n // 50}",
                "street_key": f"улица {n // 50}",
                "house": str(n % 50 + 1),
                "house_key": str(n % 50 + 1),
                "house_number": n % 50 + 1,
                "latitude": 56.39 + n / 100_000,
                "longitude": 38.71 + n / 100_000,
                "is_social": n % 100 == 0,
                "social_type": "school" if n % 100 == 0 else None,
                "kind": "residential",
            }
            for n in range(OUTAGES * HOUSES_EACH)
        ],
    )
    await session.execute(
        insert(Outage),
        [
            {
                "id": k + 1,
                "kind": OutageKind.ACCIDENT,
                "resource": RESOURCES[k % len(RESOURCES)],
                "status": OutageStatus.ACTIVE,
                "starts_at": NOW - timedelta(hours=k),
                "expected_end_at": NOW + timedelta(hours=3),
                "description": "",
                "cause": "Порыв",
            }
            for k in range(OUTAGES)
        ],
    )
    await session.execute(
        insert(OutageBuilding),
        [
            {"outage_id": k + 1, "building_id": k * HOUSES_EACH + h + 1}
            for k in range(OUTAGES)
            for h in range(HOUSES_EACH)
        ],
    )
    session.add_all(
        DispatchUpdate(
            outage_id=k + 1,
            kind=UpdateKind.PROGRESS,
            occurred_at=NOW - timedelta(minutes=m),
            text=f"Сообщение {k}-{m}",
            publish=UpdatePublish.PUBLISHED,
        )
        for k in range(OUTAGES)
        for m in (30, 10)
    )
    session.add_all(
        Incident(
            year=2026,
            number=n + 1,
            kind="fallen_tree",
            status=IncidentStatus.OPEN,
            received_at=NOW - timedelta(minutes=n),
            informant_kind="resident",
            building_id=n + 1,
        )
        for n in range(20)
    )
    await session.commit()


async def test_a_big_day_costs_a_fixed_number_of_queries(session: AsyncSession, engine: AsyncEngine) -> None:
    await _big_day(session)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        picture = await current_picture(session, now=NOW)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    # Outages, their houses, incidents, the updates of both: four, however many rows.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 4
    assert len(picture.outages) == OUTAGES
    assert all(len(o.houses) == HOUSES_EACH for o in picture.outages)
    assert all(o.update is not None and o.update.text.endswith("-10") for o in picture.outages)
    assert len(picture.incidents) == 20
    streets = picture.by_street()
    assert len(streets) == OUTAGES * HOUSES_EACH // 50
    assert [e.house.house for e in streets[0][1]][:3] == ["1", "2", "3"]  # by number, not as text
    assert [code for code, _ in picture.by_resource()] == [
        "cold_water",
        "hot_water",
        "heating",
        "electricity",
        "gas",
        "sewerage",
    ]


def test_public_rows_carry_no_personal_fields() -> None:
    fields = {f.name for cls in (PublicOutage, PublicIncident, House) for f in dataclasses.fields(cls)}
    assert not {f for f in fields if "informant" in f or "phone" in f or "user" in f or "organisation" in f}
    assert "description" in {f.name for f in dataclasses.fields(PublicOutage)}  # the residents' notice text
    assert "description" not in {f.name for f in dataclasses.fields(PublicIncident)}  # may quote the caller


async def test_an_unknown_resource_is_refused(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput):
        await current_picture(session, now=NOW, resource="plutonium")
