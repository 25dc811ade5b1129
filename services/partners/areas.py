"""Where an outside organisation is responsible: houses of the register, whole streets, districts,
each optionally for one resource; and who is responsible for a given house (offered to the dispatcher).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Organisation, OrganisationArea
from services import textfold
from services.addresses.normalize import normalize_street
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput, NotFound
from services.outages.resources import all_resources
from services.partners.members import active_organisations, get_organisation

TEXT_LIMIT = 255
# Most specific first: the dispatcher is offered the house's own УК before the district's contractor.
BUILDING, STREET, DISTRICT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class AreaRow:
    """One area with its building loaded (for the panel's list)."""

    area: OrganisationArea
    building: Building | None

    @property
    def level(self) -> int:
        if self.area.building_id is not None:
            return BUILDING
        return STREET if self.area.street_key else DISTRICT


def _check_resource(resource: str | None) -> str | None:
    resource = (resource or "").strip() or None
    if resource is not None and resource not in {r.code for r in all_resources()}:
        raise InvalidInput("Unknown resource.", field="resource")
    return resource


def _check_text(text: str, field: str, empty_msgid: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise InvalidInput(empty_msgid, field=field)
    if len(text) > TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT, field=field)
    return text


async def _save(
    session: AsyncSession, actor: Actor, org: Organisation, area: OrganisationArea
) -> OrganisationArea:
    same = await session.scalars(
        select(OrganisationArea).where(
            OrganisationArea.organisation_id == org.id,
            OrganisationArea.building_id.is_(None)
            if area.building_id is None
            else OrganisationArea.building_id == area.building_id,
            OrganisationArea.street_key.is_(None)
            if area.street_key is None
            else OrganisationArea.street_key == area.street_key,
            OrganisationArea.resource.is_(None)
            if area.resource is None
            else OrganisationArea.resource == area.resource,
        )
    )
    # Districts are compared folded in Python: SQLite's lower() ignores Cyrillic.
    key = textfold.fold(area.district) if area.district else None
    if any((textfold.fold(a.district) if a.district else None) == key for a in same.all()):
        raise InvalidInput("This area is already in the list.")
    session.add(area)
    await session.flush()
    record(
        session,
        actor,
        "organisation",
        org.id,
        "area_added",
        data={
            "area": area.id,
            "building": area.building_id,
            "street": area.street,
            "district": area.district,
            "resource": area.resource,
        },
    )
    return area


async def add_building(
    session: AsyncSession, actor: Actor, organisation_id: int, building_id: int, resource: str | None = None
) -> OrganisationArea:
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    building = await session.get(Building, building_id)
    if building is None:
        raise NotFound("Building not found.")
    area = OrganisationArea(
        organisation_id=org.id, building_id=building.id, resource=_check_resource(resource)
    )
    return await _save(session, actor, org, area)


async def add_street(
    session: AsyncSession, actor: Actor, organisation_id: int, street: str, resource: str | None = None
) -> OrganisationArea:
    """A whole street, as typed («ул. Ленина»): matched by its normalised key, as buildings are."""
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    text = _check_text(street, "street", "Type the street.")
    key = normalize_street(text)
    if not key:
        raise InvalidInput("Type the street.", field="street")
    area = OrganisationArea(
        organisation_id=org.id, street_key=key, street=text, resource=_check_resource(resource)
    )
    return await _save(session, actor, org, area)


async def add_district(
    session: AsyncSession, actor: Actor, organisation_id: int, district: str, resource: str | None = None
) -> OrganisationArea:
    """A district as the register names it (``Building.district``)."""
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    text = _check_text(district, "district", "Type the district.")
    area = OrganisationArea(organisation_id=org.id, district=text, resource=_check_resource(resource))
    return await _save(session, actor, org, area)


async def remove_area(session: AsyncSession, actor: Actor, organisation_id: int, area_id: int) -> None:
    """The area must belong to ``organisation_id``: a forged form cannot remove another's area."""
    await require_admin(session, actor)
    area = await session.get(OrganisationArea, area_id)
    if area is None or area.organisation_id != organisation_id:
        raise NotFound("Area not found.")
    record(
        session,
        actor,
        "organisation",
        organisation_id,
        "area_removed",
        data={
            "area": area.id,
            "building": area.building_id,
            "street": area.street,
            "district": area.district,
        },
    )
    await session.delete(area)
    await session.flush()


async def areas_of(session: AsyncSession, organisation_id: int) -> list[AreaRow]:
    rows = await session.execute(
        select(OrganisationArea, Building)
        .outerjoin(Building, Building.id == OrganisationArea.building_id)
        .where(OrganisationArea.organisation_id == organisation_id)
        .order_by(OrganisationArea.id)
    )
    found = [AreaRow(area, building) for area, building in rows.all()]
    return sorted(found, key=lambda r: (r.level, r.area.street or "", r.area.district or "", r.area.id))


async def districts(session: AsyncSession) -> list[str]:
    """The register's districts, for the panel's choice."""
    rows = await session.scalars(
        select(Building.district).where(Building.district.is_not(None)).distinct().order_by(Building.district)
    )
    return [d for d in rows.all() if d and d.strip()]


def _supplies(org: Organisation, resource: str | None) -> bool:
    """An organisation that names its resources is not offered for another one."""
    if resource is None or not org.resources:
        return True
    return resource in org.resources.split(",")


async def responsible_for(
    session: AsyncSession, building_id: int, resource: str | None = None
) -> list[Organisation]:
    """Active organisations responsible for the house, most specific first: the house itself, its
    street, its district; within a level an area for exactly ``resource`` before an area for any."""
    building = await session.get(Building, building_id)
    if building is None:
        return []
    conditions = [
        OrganisationArea.building_id == building.id,
        OrganisationArea.street_key == building.street_key,
    ]
    if building.district:
        conditions.append(OrganisationArea.district.is_not(None))
    rows = await session.execute(
        select(OrganisationArea, Organisation)
        .join(Organisation, Organisation.id == OrganisationArea.organisation_id)
        .where(Organisation.is_active.is_(True), or_(*conditions))
    )
    district_key = textfold.fold(building.district) if building.district else None
    ranked: list[tuple[tuple[int, int, str], Organisation]] = []
    for area, org in rows.all():
        if area.building_id is not None:
            level = BUILDING
        elif area.street_key:
            level = STREET
        elif area.district and textfold.fold(area.district) == district_key:
            level = DISTRICT
        else:
            continue
        if area.resource is not None and area.resource != resource:
            if resource is not None:
                continue  # an area for another resource
            exact = 1  # the resource is unknown: any area counts, general ones first
        else:
            exact = 0 if (area.resource == resource) else 1
        if area.resource is None and not _supplies(org, resource):
            continue
        ranked.append(((level, exact, org.name.casefold()), org))
    seen: set[int] = set()
    result: list[Organisation] = []
    for _key, org in sorted(ranked, key=lambda item: item[0]):
        if org.id not in seen:
            seen.add(org.id)
            result.append(org)
    return result


# An outage of 200 houses lies on a few streets: the first houses tell whose network it is.
OFFER_SAMPLE = 20


async def offered_organisations(
    session: AsyncSession, building_ids: Sequence[int], resource: str | None = None
) -> tuple[list[Organisation], set[int]]:
    """Every active organisation for the dispatcher's pick, those responsible for the houses first
    (in ``responsible_for``'s order), and the ids of the responsible ones, to mark them."""
    responsible: list[Organisation] = []
    for building_id in list(dict.fromkeys(building_ids))[:OFFER_SAMPLE]:
        for org in await responsible_for(session, building_id, resource):
            if org not in responsible:
                responsible.append(org)
    ids = {o.id for o in responsible}
    rest = [o for o in await active_organisations(session) if o.id not in ids]
    return responsible + rest, ids
