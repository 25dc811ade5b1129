"""Routing appeals to departments: rules set by the administrator, and the one place that applies them.

A rule names a category and optionally a street or a district. For an appeal the most specific
matching rule wins: category + street, then category + district, then category alone; the category's
own default department comes last. Among rules of the same kind the lower ``priority`` wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Category, Department, RoutingRule
from services.addresses.normalize import normalize_street, parse_address
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput, NotFound

MAX_PRIORITY = 9999


@dataclass(frozen=True, slots=True)
class RuleInput:
    category_id: int
    department_id: int
    street: str | None = None
    district: str | None = None
    priority: int = 100


@dataclass(frozen=True, slots=True)
class Place:
    """Where an appeal is about: a known building, or a typed address (street and house) / district."""

    building_id: int | None = None
    address: str | None = None
    district: str | None = None


def _street_key(address: str | None) -> str:
    if not address or not address.strip():
        return ""
    parsed = parse_address(address)
    return parsed.street_key if parsed is not None else normalize_street(address)


def _district_key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _specificity(rule: RoutingRule) -> int:
    return 0 if rule.street_key else 1 if rule.district else 2


async def route_department(
    session: AsyncSession, category_id: int | None, place: Place | None = None
) -> int | None:
    """The department an appeal of ``category_id`` about ``place`` goes to, or None when nothing says."""
    if category_id is None:
        return None
    place = place or Place()
    street_key, district = _street_key(place.address), _district_key(place.district)
    if place.building_id is not None:
        building = await session.get(Building, place.building_id)
        if building is not None:
            street_key = building.street_key  # the register's spelling beats the typed one
            district = district or _district_key(building.district)
    rules = (await session.scalars(select(RoutingRule).where(RoutingRule.category_id == category_id))).all()
    matching = [
        r
        for r in rules
        if (not r.street_key or r.street_key == street_key)
        and (not r.district or _district_key(r.district) == district)
    ]
    for rule in sorted(matching, key=lambda r: (_specificity(r), r.priority, r.id)):
        dept = await session.get(Department, rule.department_id)
        if dept is not None and dept.is_active:
            return dept.id
    category = await session.get(Category, category_id)
    return category.department_id if category is not None else None


async def list_rules(session: AsyncSession) -> list[RoutingRule]:
    query = select(RoutingRule).order_by(RoutingRule.category_id, RoutingRule.priority, RoutingRule.id)
    return list((await session.scalars(query)).all())


async def get(session: AsyncSession, rule_id: int) -> RoutingRule:
    rule = await session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("Routing rule not found.")
    return rule


async def _validate(session: AsyncSession, data: RuleInput) -> dict[str, object]:
    if await session.get(Category, data.category_id) is None:
        raise InvalidInput("Unknown appeal category.", field="category_id")
    dept = await session.get(Department, data.department_id)
    if dept is None or not dept.is_active:
        raise InvalidInput("Unknown department.", field="department_id")
    street = " ".join((data.street or "").split())[:255] or None
    district = " ".join((data.district or "").split())[:255] or None
    if street and district:
        raise InvalidInput("A rule names a street or a district, not both.", field="district")
    street_key = normalize_street(street) if street else None
    if street and not street_key:
        raise InvalidInput("Cannot read the street name.", field="street")
    if not 0 <= data.priority <= MAX_PRIORITY:
        raise InvalidInput("The priority is 0 to %(n)d.", n=MAX_PRIORITY, field="priority")
    return {
        "category_id": data.category_id,
        "department_id": data.department_id,
        "street": street,
        "street_key": street_key,
        "district": district,
        "priority": data.priority,
    }


async def save(session: AsyncSession, actor: Actor, rule_id: int | None, data: RuleInput) -> RoutingRule:
    await require_admin(session, actor)
    values = await _validate(session, data)
    if rule_id is None:
        rule = RoutingRule(**values)
        session.add(rule)
        await session.flush()
        record(session, actor, "routing_rule", rule.id, "created", data=values)
    else:
        rule = await get(session, rule_id)
        changes = {k: [getattr(rule, k), v] for k, v in values.items() if getattr(rule, k) != v}
        for key, (_old, new) in changes.items():
            setattr(rule, key, new)
        if changes:
            record(session, actor, "routing_rule", rule.id, "updated", data={"changes": changes})
    await session.flush()
    return rule


async def delete(session: AsyncSession, actor: Actor, rule_id: int) -> None:
    await require_admin(session, actor)
    rule = await get(session, rule_id)
    data = {"category_id": rule.category_id, "department_id": rule.department_id, "street": rule.street}
    await session.delete(rule)
    record(session, actor, "routing_rule", rule_id, "deleted", data=data | {"district": rule.district})
    await session.flush()
