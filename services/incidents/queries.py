"""Read-only queries behind the panel's incident pages: the filtered journal and one incident's card.

The views only parse the request and render; every change goes through ``journal``/``edits``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, DispatchUpdate, Incident, Organisation, OutageSignal
from services.errors import NotFound
from services.outages.queries import Page, user_names
from services.text_search import contains, plan_with_values

SORT_KEYS = {
    "number": (Incident.year, Incident.number),
    "received": (Incident.received_at,),
    "status": (Incident.status,),
    "kind": (Incident.kind,),
}


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    status: str | None = None
    kind: str | None = None
    organisation_id: int | None = None  # the responsible organisation
    start: datetime | None = None  # received in [start, end)
    end: datetime | None = None
    text: str | None = None  # a fragment of the description, the place or the cause
    sort: str | None = None  # one of SORT_KEYS; None: newest first
    desc: bool = False


def _text_match(session: AsyncSession, text: str):  # type: ignore[no-untyped-def]
    # The street of a house from the register counts as the place too.
    houses = select(Building.id).where(contains(session, Building.street, text))
    return or_(
        contains(session, Incident.description, text),
        contains(session, Incident.address_text, text),
        contains(session, Incident.cause, text),
        Incident.building_id.in_(houses),
    )


async def incidents_page(
    session: AsyncSession, f: IncidentFilter, *, number: int, size: int
) -> Page[Incident]:
    """The journal, newest first unless another whitelisted sort is asked for."""
    query = select(Incident)
    if f.status:
        query = query.where(Incident.status == f.status)
    if f.kind:
        query = query.where(Incident.kind == f.kind)
    if f.organisation_id is not None:
        query = query.where(Incident.responsible_organisation_id == f.organisation_id)
    if f.start is not None:
        query = query.where(Incident.received_at >= f.start)
    if f.end is not None:
        query = query.where(Incident.received_at < f.end)
    if f.text:
        query = query.where(_text_match(session, f.text))
        await plan_with_values(session)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    columns = SORT_KEYS.get(f.sort or "")
    if columns is None:
        order = (Incident.received_at.desc(), Incident.id.desc())
    elif f.desc:
        order = (*(c.desc() for c in columns), Incident.id.desc())
    else:
        order = (*(c.asc() for c in columns), Incident.id.asc())
    rows = await session.scalars(query.order_by(*order).offset((number - 1) * size).limit(size))
    return Page(list(rows.all()), total, number, size)


async def organisations_by_id(session: AsyncSession, ids: list[int | None]) -> dict[int, Organisation]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.scalars(select(Organisation).where(Organisation.id.in_(wanted)))
    return {o.id: o for o in rows.all()}


async def buildings_by_id(session: AsyncSession, ids: list[int | None]) -> dict[int, Building]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.scalars(select(Building).where(Building.id.in_(wanted)))
    return {b.id: b for b in rows.all()}


@dataclass(frozen=True, slots=True)
class IncidentCard:
    incident: Incident
    building: Building | None
    organisations: dict[int, Organisation]  # responsible, informant's and the updates' organisations
    updates: list[DispatchUpdate]  # the journal, oldest first
    names: dict[int, str]  # user id -> full name (authors, deciders, who logged it)
    signals: list[OutageSignal]  # residents' reports it answers

    @property
    def responsible(self) -> Organisation | None:
        return self.organisations.get(self.incident.responsible_organisation_id or 0)

    @property
    def informant_organisation(self) -> Organisation | None:
        return self.organisations.get(self.incident.informant_organisation_id or 0)


async def incident_card(session: AsyncSession, incident_id: int) -> IncidentCard:
    incident = await session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("Incident not found.")
    updates = list(
        (
            await session.scalars(
                select(DispatchUpdate)
                .where(DispatchUpdate.incident_id == incident.id)
                .order_by(DispatchUpdate.occurred_at, DispatchUpdate.id)
            )
        ).all()
    )
    signals = list(
        (
            await session.scalars(
                select(OutageSignal)
                .where(OutageSignal.incident_id == incident.id)
                .order_by(OutageSignal.created_at, OutageSignal.id)
            )
        ).all()
    )
    building = await session.get(Building, incident.building_id) if incident.building_id else None
    orgs = await organisations_by_id(
        session,
        [
            incident.responsible_organisation_id,
            incident.informant_organisation_id,
            *(u.organisation_id for u in updates),
        ],
    )
    names = await user_names(
        session,
        [incident.created_by_id, *(u.author_user_id for u in updates), *(u.decided_by_id for u in updates)],
    )
    return IncidentCard(incident, building, orgs, updates, names, signals)
