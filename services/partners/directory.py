"""The directory of outside organisations: create and edit; each gets its own department row."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, Organisation
from models.enums import OrganisationKind, PublishMode
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import DomainError, InvalidInput
from services.outages.resources import all_resources
from services.partners.members import get_organisation


@dataclass(frozen=True, slots=True)
class OrganisationInput:
    name: str
    kind: str = OrganisationKind.OTHER
    short_name: str | None = None
    inn: str | None = None
    phone: str | None = None
    email: str | None = None
    resources: tuple[str, ...] = ()
    publish_mode: str = PublishMode.APPROVAL
    note: str = ""


async def problems(
    session: AsyncSession, data: OrganisationInput, *, exclude_id: int | None = None
) -> list[DomainError]:
    found: list[DomainError] = []
    name = data.name.strip()
    if not name:
        found.append(InvalidInput("The organisation needs a name.", field="name"))
    elif len(name) > 255:
        found.append(InvalidInput("The text is too long: at most %(n)d characters.", n=255, field="name"))
    else:
        clash = await session.scalar(
            select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        )
        dept_clash = await session.scalar(
            select(Department.id).where(func.lower(Department.name) == name.lower())
        )
        own_dept = (await get_organisation(session, exclude_id)).department_id if exclude_id else None
        if (clash is not None and clash != exclude_id) or (dept_clash is not None and dept_clash != own_dept):
            found.append(InvalidInput("This name is already taken.", field="name"))
    if data.kind not in set(OrganisationKind):
        found.append(InvalidInput("Unknown organisation kind.", field="kind"))
    if data.publish_mode not in set(PublishMode):
        found.append(InvalidInput("Unknown publishing mode.", field="publish_mode"))
    if data.inn and not (data.inn.isdigit() and len(data.inn) in (10, 12)):
        found.append(InvalidInput("An INN has 10 or 12 digits.", field="inn"))
    known = {r.code for r in all_resources()}
    if any(code not in known for code in data.resources):
        found.append(InvalidInput("Unknown resource.", field="resources"))
    return found


def _values(data: OrganisationInput) -> dict[str, object]:
    return {
        "name": data.name.strip(),
        "kind": data.kind,
        "short_name": (data.short_name or "").strip() or None,
        "inn": (data.inn or "").strip() or None,
        "phone": (data.phone or "").strip() or None,
        "email": (data.email or "").strip() or None,
        "resources": ",".join(dict.fromkeys(data.resources)),
        "publish_mode": data.publish_mode,
        "note": data.note.strip(),
    }


async def create_organisation(session: AsyncSession, actor: Actor, data: OrganisationInput) -> Organisation:
    await require_admin(session, actor)
    refused = await problems(session, data)
    if refused:
        raise refused[0]
    values = _values(data)
    dept = Department(name=str(values["name"]), short_name=values["short_name"])  # type: ignore[arg-type]
    session.add(dept)
    await session.flush()
    org = Organisation(department_id=dept.id, **values)
    session.add(org)
    await session.flush()
    record(session, actor, "organisation", org.id, "created", data={"name": org.name, "kind": org.kind})
    return org


async def update_organisation(
    session: AsyncSession, actor: Actor, organisation_id: int, data: OrganisationInput
) -> Organisation:
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    refused = await problems(session, data, exclude_id=org.id)
    if refused:
        raise refused[0]
    values = _values(data)
    changed = {k: v for k, v in values.items() if getattr(org, k) != v}
    for key, value in changed.items():
        setattr(org, key, value)
    dept = await session.get(Department, org.department_id)
    if dept is not None:
        dept.name, dept.short_name = org.name, org.short_name
    if changed:
        record(session, actor, "organisation", org.id, "updated", data={"fields": sorted(changed)})
    await session.flush()
    return org


async def set_active(session: AsyncSession, actor: Actor, organisation_id: int, active: bool) -> Organisation:
    """Deactivating keeps the history; its department and people stop receiving work."""
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    if org.is_active == active:
        return org
    org.is_active = active
    dept = await session.get(Department, org.department_id)
    if dept is not None:
        dept.is_active = active
    record(session, actor, "organisation", org.id, "activated" if active else "deactivated")
    await session.flush()
    return org


async def list_organisations(
    session: AsyncSession, *, text: str = "", kind: str | None = None
) -> list[Organisation]:
    """The directory, active first, by name; ``text`` matches the name, short name, INN or phone
    (compared folded in Python: SQLite's lower() ignores Cyrillic, and the directory is small)."""
    query = select(Organisation).order_by(Organisation.is_active.desc(), Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    orgs = list((await session.scalars(query)).all())
    needle = text.strip().casefold()
    if not needle:
        return orgs
    return [
        o
        for o in orgs
        if any(needle in (value or "").casefold() for value in (o.name, o.short_name, o.inn, o.phone))
    ]
