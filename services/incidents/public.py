"""The public picture: current outages and incidents, by address and by resource, for anyone to read.

Everything here is meant for the administration's site and its map, so it carries no personal data:
no informant, no phone, no staff or organisation people, no internal notes — only what residents
are told anyway (the resource, the time, the cause, the houses, the latest *published* update).

One query per kind of row (outages, their houses, incidents, updates), so thirty outages of two
hundred houses each cost four round trips, not thousands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Outage, OutageBuilding
from models.enums import IncidentStatus, OutageStatus, UpdatePublish
from models.incidents import DispatchUpdate, Incident
from services.addresses.normalize import normalize_street
from services.errors import InvalidInput
from services.outages.resources import all_resources, get_resource

PLANNED_AHEAD = timedelta(hours=48)  # planned outages this close are shown, marked as planned
INCIDENTS_FILTER = "incidents"  # the filter value that shows incidents only
MAX_TEXT = 1000  # public texts are cut: the page is a summary, the bot tells the rest
MAX_STREET_FILTER = 100


@dataclass(frozen=True, slots=True)
class House:
    building_id: int
    street: str
    house: str
    latitude: float | None
    longitude: float | None
    social_type: str | None  # a school, a hospital… (its name is public too)
    name: str | None

    @property
    def address(self) -> str:
        return f"{self.street}, {self.house}"


@dataclass(frozen=True, slots=True)
class PublishedUpdate:
    text: str
    occurred_at: datetime


@dataclass(slots=True)
class PublicOutage:
    id: int
    resource: str
    kind: str  # accident | planned (what it is)
    planned: bool  # not started yet: it begins within PLANNED_AHEAD
    starts_at: datetime
    expected_end_at: datetime | None
    cause: str
    description: str
    houses: list[House] = field(default_factory=list)
    update: PublishedUpdate | None = None


@dataclass(slots=True)
class PublicIncident:
    id: int
    kind: str
    received_at: datetime
    expected_end_at: datetime | None
    street: str | None  # from the register, when the place is a house
    house: str | None
    place: str | None  # a place off the register ("км 12 трассы")
    latitude: float | None
    longitude: float | None
    update: PublishedUpdate | None = None

    @property
    def address(self) -> str:
        if self.street and self.house:
            return f"{self.street}, {self.house}"
        return self.place or ""


@dataclass(frozen=True, slots=True)
class AddressEntry:
    """One house of the list view with what it lacks now."""

    house: House
    outages: list[PublicOutage]


@dataclass(slots=True)
class Picture:
    now: datetime
    outages: list[PublicOutage]
    incidents: list[PublicIncident]

    def by_resource(self) -> list[tuple[str, list[PublicOutage]]]:
        """Outages grouped by resource, in the configured order of resources."""
        groups: dict[str, list[PublicOutage]] = defaultdict(list)
        for outage in self.outages:
            groups[outage.resource].append(outage)
        return sorted(groups.items(), key=lambda item: _resource_rank(item[0]))

    def by_street(self) -> list[tuple[str, list[AddressEntry]]]:
        """Houses grouped by street (then house number), each with its current outages."""
        houses: dict[int, House] = {}
        outages_of: dict[int, list[PublicOutage]] = defaultdict(list)
        for outage in self.outages:
            for house in outage.houses:
                houses[house.building_id] = house
                outages_of[house.building_id].append(outage)
        streets: dict[str, list[AddressEntry]] = defaultdict(list)
        for building_id, house in houses.items():
            streets[house.street].append(AddressEntry(house, outages_of[building_id]))
        for entries in streets.values():
            entries.sort(key=lambda e: _house_sort_key(e.house.house))
        return sorted(streets.items(), key=lambda item: item[0].casefold())


def _resource_rank(code: str) -> tuple[int, str]:
    order = [r.code for r in all_resources()]
    return (order.index(code) if code in order else len(order), code)


def _house_sort_key(house: str) -> tuple[int, str]:
    digits = ""
    for ch in house:
        if not ch.isdigit():
            break
        digits += ch
    return (int(digits) if digits else 10**9, house)


def check_filter(resource: str | None) -> str | None:
    """A resource code, ``incidents`` or nothing; anything else is refused (a clear 400, no 500)."""
    if resource is None or resource == "":
        return None
    if resource == INCIDENTS_FILTER:
        return resource
    if len(resource) > 32:
        raise InvalidInput("Unknown resource: %(code)s", code=resource[:32])
    get_resource(resource)  # raises InvalidInput for an unknown code
    return resource


async def current_picture(
    session: AsyncSession, *, now: datetime, resource: str | None = None, street: str | None = None
) -> Picture:
    """Active outages and those planned within 48 hours, and the open public incidents.

    ``resource`` narrows the outages to one resource (then no incidents), or ``"incidents"`` shows
    incidents only; ``street`` keeps the houses and incidents of the streets it begins («Лен» → Ленина).
    """
    resource = check_filter(resource)
    street_key = normalize_street(street[:MAX_STREET_FILTER]) if street and street.strip() else None
    outages = [] if resource == INCIDENTS_FILTER else await _outages(session, now, resource)
    await _attach_houses(session, outages, street_key)
    if street_key is not None:
        outages = [o for o in outages if o.houses]
    incidents = [] if resource not in (None, INCIDENTS_FILTER) else await _incidents(session, street_key)
    await _attach_updates(session, outages, incidents)
    return Picture(now=now, outages=outages, incidents=incidents)


async def _outages(session: AsyncSession, now: datetime, resource: str | None) -> list[PublicOutage]:
    query = select(Outage).where(
        or_(
            Outage.status == OutageStatus.ACTIVE,
            (Outage.status == OutageStatus.PLANNED) & (Outage.starts_at <= now + PLANNED_AHEAD),
        )
    )
    if resource is not None:
        query = query.where(Outage.resource == resource)
    rows = (await session.scalars(query.order_by(Outage.starts_at, Outage.id))).all()
    return [
        PublicOutage(
            id=o.id,
            resource=o.resource,
            kind=o.kind,
            planned=o.status == OutageStatus.PLANNED,
            starts_at=o.starts_at,
            expected_end_at=o.expected_end_at,
            cause=_cut(o.cause),
            description=_cut(o.description),
        )
        for o in rows
        # A planned outage whose end has passed without anyone resolving it is no news.
        if o.status == OutageStatus.ACTIVE or o.expected_end_at is None or o.expected_end_at > now
    ]


async def _attach_houses(session: AsyncSession, outages: list[PublicOutage], street_key: str | None) -> None:
    if not outages:
        return
    by_id = {o.id: o for o in outages}
    query = (
        select(OutageBuilding.outage_id, Building)
        .join(Building, Building.id == OutageBuilding.building_id)
        .where(OutageBuilding.outage_id.in_(by_id), OutageBuilding.removed_at.is_(None))
        .order_by(Building.street_key, Building.house_number, Building.house_key)
    )
    if street_key is not None:
        query = query.where(Building.street_key.startswith(street_key, autoescape=True))
    houses: dict[int, House] = {}
    for outage_id, b in (await session.execute(query)).all():
        house = houses.get(b.id) or houses.setdefault(b.id, _house(b))
        by_id[outage_id].houses.append(house)


def _house(b: Building) -> House:
    return House(
        building_id=b.id,
        street=b.street,
        house=b.house,
        latitude=b.latitude,
        longitude=b.longitude,
        social_type=b.social_type if b.is_social else None,
        name=b.name if b.is_social else None,
    )


async def _incidents(session: AsyncSession, street_key: str | None) -> list[PublicIncident]:
    query = (
        select(Incident, Building)
        .outerjoin(Building, Building.id == Incident.building_id)
        .where(
            Incident.status.in_((IncidentStatus.OPEN, IncidentStatus.IN_WORK)),
            Incident.is_public.is_(True),
        )
        .order_by(Incident.received_at.desc(), Incident.id.desc())
    )
    if street_key is not None:
        query = query.where(Building.street_key.startswith(street_key, autoescape=True))
    result: list[PublicIncident] = []
    for i, b in (await session.execute(query)).all():
        result.append(
            PublicIncident(
                id=i.id,
                kind=i.kind,
                received_at=i.received_at,
                expected_end_at=i.expected_end_at,
                street=b.street if b else None,
                house=b.house if b else None,
                place=_cut(i.address_text or "") or None,
                latitude=i.latitude if i.latitude is not None else (b.latitude if b else None),
                longitude=i.longitude if i.longitude is not None else (b.longitude if b else None),
            )
        )
    return result


async def _attach_updates(
    session: AsyncSession, outages: list[PublicOutage], incidents: list[PublicIncident]
) -> None:
    """The latest published update of each (only what residents were already sent)."""
    if not outages and not incidents:
        return
    outage_ids = [o.id for o in outages]
    incident_ids = [i.id for i in incidents]
    rows = await session.execute(
        select(
            DispatchUpdate.outage_id,
            DispatchUpdate.incident_id,
            DispatchUpdate.text,
            DispatchUpdate.occurred_at,
        )
        .where(
            DispatchUpdate.publish == UpdatePublish.PUBLISHED,
            DispatchUpdate.text != "",
            or_(DispatchUpdate.outage_id.in_(outage_ids), DispatchUpdate.incident_id.in_(incident_ids)),
        )
        .order_by(DispatchUpdate.occurred_at, DispatchUpdate.id)
    )
    latest_outage: dict[int, PublishedUpdate] = {}
    latest_incident: dict[int, PublishedUpdate] = {}
    for outage_id, incident_id, text, occurred_at in rows.all():
        update = PublishedUpdate(_cut(text), occurred_at)
        if outage_id is not None:
            latest_outage[outage_id] = update  # ordered by time: the last one wins
        elif incident_id is not None:
            latest_incident[incident_id] = update
    for outage in outages:
        outage.update = latest_outage.get(outage.id)
    for incident in incidents:
        incident.update = latest_incident.get(incident.id)


def _cut(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def social_houses(outages: Iterable[PublicOutage]) -> int:
    """How many social objects (schools, hospitals…) are among the houses cut off."""
    return len({h.building_id for o in outages for h in o.houses if h.social_type})
