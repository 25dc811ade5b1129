"""A small town for the public map: houses with coordinates, outages and incidents in every state.

Shown: hot water cut off at Lenina 5, 7 and the school at Lenina 12 (active, with a published update),
electricity planned at Mira 10a tomorrow, a fallen tree on Sovetskaya (public, open). Not shown: a
gas leak logged as not public, a closed incident, a resolved outage, a draft, an outage planned in
five days. Personal data (informants, phones, internal notes) is seeded so tests can prove it stays
out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Building, DispatchUpdate, Incident, Outage, OutageBuilding, utcnow
from models.enums import IncidentStatus, OutageKind, OutageStatus, UpdateKind, UpdatePublish

# Words that must never reach the public page or its JSON.
SECRETS = (
    "Пётр Сидоров",
    "+79001234567",
    "Иванов И. И.",
    "89005554433",
    "позвонить Петрову",
    "ждёт одобрения",
    "Утечка газа в подвале",
)
PUBLISHED_UPDATE = "Бригада на месте, меняют участок трубы"
CAUSE = "Порыв трубопровода"

# (street, key, house, number, social type, name, lat, lon)
HOUSES = [
    ("ул. Ленина", "ленина", "5", 5, None, None, 56.39710, 38.71520),
    ("ул. Ленина", "ленина", "7", 7, None, None, 56.39770, 38.71610),
    ("ул. Ленина", "ленина", "12", 12, "school", "Школа № 3", 56.39800, 38.71480),
    ("пр-т Мира", "мира", "10а", 10, None, None, 56.39590, 38.71900),
    ("ул. Советская", "советская", "3", 3, None, None, 56.39960, 38.71340),
    ("ул. Садовая", "садовая", "2", 2, None, None, None, None),
]


@dataclass(frozen=True)
class MapTown:
    houses: dict[str, int]  # "Ленина 5" → id
    active_id: int
    planned_id: int
    public_incident_id: int
    hidden_incident_id: int


async def seed_map_town(session_factory: async_sessionmaker[AsyncSession]) -> MapTown:
    now = utcnow()
    async with session_factory() as s:
        houses: dict[str, Building] = {}
        for street, key, house, number, social, name, lat, lon in HOUSES:
            b = Building(
                street=street,
                street_key=key,
                house=house,
                house_key=house,
                house_number=number,
                latitude=lat,
                longitude=lon,
                is_social=social is not None,
                social_type=social,
                name=name,
                kind="school" if social else "residential",
            )
            s.add(b)
            houses[f"{street.split()[-1]} {house}"] = b
        await s.flush()

        def outage(status: str, resource: str, start: timedelta, end: timedelta) -> Outage:
            o = Outage(
                kind=OutageKind.PLANNED if status == OutageStatus.PLANNED else OutageKind.ACCIDENT,
                resource=resource,
                status=status,
                starts_at=now + start,
                expected_end_at=now + end,
                cause=CAUSE if resource == "hot_water" else "",
                informant_kind="resident",
                informant_text="Иванов И. И., тел. 89005554433",
            )
            s.add(o)
            return o

        active = outage(OutageStatus.ACTIVE, "hot_water", -timedelta(hours=2), timedelta(hours=4))
        planned = outage(OutageStatus.PLANNED, "electricity", timedelta(hours=20), timedelta(hours=26))
        later = outage(OutageStatus.PLANNED, "cold_water", timedelta(days=5), timedelta(days=5, hours=3))
        resolved = outage(OutageStatus.RESOLVED, "heating", -timedelta(days=1), -timedelta(hours=20))
        draft = outage(OutageStatus.DRAFT, "gas", timedelta(hours=1), timedelta(hours=3))
        await s.flush()
        links = [
            (active, "Ленина 5"),
            (active, "Ленина 7"),
            (active, "Ленина 12"),
            (planned, "Мира 10а"),
            (later, "Садовая 2"),
            (resolved, "Садовая 2"),
            (draft, "Садовая 2"),
        ]
        for o, name in links:
            s.add(OutageBuilding(outage_id=o.id, building_id=houses[name].id))

        def incident(number: int, kind: str, status: str, public: bool, **place: object) -> Incident:
            i = Incident(
                year=now.year,
                number=number,
                kind=kind,
                status=status,
                received_at=now - timedelta(minutes=40 * number),
                informant_kind="resident",
                informant_name="Пётр Сидоров",
                informant_phone="+79001234567",
                description="Утечка газа в подвале" if kind == "gas" else "Дерево упало",
                is_public=public,
                **place,
            )
            s.add(i)
            return i

        tree = incident(
            1,
            "fallen_tree",
            IncidentStatus.OPEN,
            True,
            address_text="ул. Советская, у дома 3",
            latitude=56.39950,
            longitude=38.71300,
            expected_end_at=now + timedelta(hours=3),
        )
        gas = incident(2, "gas", IncidentStatus.IN_WORK, False, building_id=houses["Ленина 7"].id)
        incident(3, "road_accident", IncidentStatus.CLOSED, True, building_id=houses["Ленина 5"].id)
        await s.flush()

        def update(text: str, publish: str, minutes_ago: int, **target: int) -> None:
            s.add(
                DispatchUpdate(
                    kind=UpdateKind.PROGRESS,
                    occurred_at=now - timedelta(minutes=minutes_ago),
                    text=text,
                    publish=publish,
                    **target,
                )
            )

        update("Аварийная служба выехала", UpdatePublish.PUBLISHED, 90, outage_id=active.id)
        update(PUBLISHED_UPDATE, UpdatePublish.PUBLISHED, 30, outage_id=active.id)
        update("Внутреннее: позвонить Петрову", UpdatePublish.INTERNAL, 10, outage_id=active.id)
        update("Отчёт УК ждёт одобрения", UpdatePublish.PENDING, 5, outage_id=active.id)
        update("Дерево распиливают", UpdatePublish.PUBLISHED, 20, incident_id=tree.id)
        await s.commit()
        return MapTown(
            houses={name: b.id for name, b in houses.items()},
            active_id=active.id,
            planned_id=planned.id,
            public_incident_id=tree.id,
            hidden_incident_id=gas.id,
        )
