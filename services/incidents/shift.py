"""The shift hand-over: what the next dispatcher must know, and the record that the shift was handed over.

The report covers ``since``–``until``: by default from the end of the previous hand-over (or 24 hours
back when there is none) to now. «Open» lists are as of ``until`` regardless of the period; the rest
are what happened inside it. Plain data: ``shift_render`` turns it into a message, XLSX and PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditEvent,
    Building,
    DispatchUpdate,
    Incident,
    Organisation,
    Outage,
    OutageSignal,
    ShiftHandover,
    User,
    utcnow,
)
from models.enums import IncidentStatus, OutageStatus, SignalStatus, UpdatePublish
from services.audit import record
from services.errors import InvalidInput, NotFound
from services.incidents.queries import buildings_by_id, organisations_by_id
from services.outages.lifecycle import require_dispatcher
from services.outages.listing import house_counts
from services.outages.notices import address
from services.outages.queries import user_names

DEFAULT_SPAN = timedelta(hours=24)
MAX_SPAN = timedelta(days=31)  # a longer report is an archive search, not a hand-over
ROW_LIMIT = 500  # per list; the renderers say when a list was cut
NOTE_LIMIT = 4000
OPEN_INCIDENT = (IncidentStatus.OPEN, IncidentStatus.IN_WORK)
OPEN_OUTAGE = (OutageStatus.PLANNED, OutageStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class IncidentRow:
    incident: Incident
    place: str  # the house from the register, the description of the place or the map point
    organisation: str | None  # the responsible organisation's short name
    last: DispatchUpdate | None  # its latest journal entry


@dataclass(frozen=True, slots=True)
class OutageRow:
    outage: Outage
    houses: int
    organisation: str | None


@dataclass(frozen=True, slots=True)
class UpdateRow:
    update: DispatchUpdate
    incident: Incident | None
    outage: Outage | None
    organisation: str | None
    author: str | None


@dataclass(frozen=True, slots=True)
class SignalRow:
    signal: OutageSignal
    place: str


@dataclass(frozen=True, slots=True)
class ShiftReport:
    since: datetime
    until: datetime
    previous: ShiftHandover | None  # the hand-over this period follows
    open_incidents: list[IncidentRow]
    logged: list[IncidentRow]  # received in the period
    closed: list[IncidentRow]  # closed in the period
    open_outages: list[OutageRow]
    published_outages: list[OutageRow]  # announced in the period
    resolved_outages: list[OutageRow]  # resolved or cancelled in the period
    updates: list[UpdateRow]  # journal entries of incidents and outages made in the period
    pending: list[UpdateRow]  # organisations' reports still waiting for the dispatcher (any age)
    new_signals: list[SignalRow]  # residents' reports nobody has handled yet (any age)

    @property
    def is_quiet(self) -> bool:
        return not any(
            (
                self.open_incidents,
                self.logged,
                self.closed,
                self.open_outages,
                self.published_outages,
                self.resolved_outages,
                self.updates,
                self.pending,
                self.new_signals,
            )
        )


def _short(org: Organisation | None) -> str | None:
    return (org.short_name or org.name) if org is not None else None


def incident_place(incident: Incident, building: Building | None) -> str:
    if building is not None:
        text = address(building)
        return f"{text}; {incident.address_text}" if incident.address_text else text
    if incident.address_text:
        return incident.address_text
    if incident.latitude is not None and incident.longitude is not None:
        return f"{incident.latitude:.5f}, {incident.longitude:.5f}"
    return "—"


async def last_handover(session: AsyncSession, *, before: datetime | None = None) -> ShiftHandover | None:
    query = select(ShiftHandover)
    if before is not None:
        query = query.where(ShiftHandover.period_end <= before)
    return await session.scalar(
        query.order_by(ShiftHandover.period_end.desc(), ShiftHandover.id.desc()).limit(1)
    )


async def _incident_rows(session: AsyncSession, incidents: Sequence[Incident]) -> list[IncidentRow]:
    if not incidents:
        return []
    ids = [i.id for i in incidents]
    # The latest entry of each incident: the newest occurred_at, the newest id among equals.
    newest = (
        select(DispatchUpdate.incident_id, func.max(DispatchUpdate.occurred_at).label("at"))
        .where(DispatchUpdate.incident_id.in_(ids))
        .group_by(DispatchUpdate.incident_id)
        .subquery()
    )
    rows = await session.scalars(
        select(DispatchUpdate)
        .join(
            newest,
            and_(
                DispatchUpdate.incident_id == newest.c.incident_id,
                DispatchUpdate.occurred_at == newest.c.at,
            ),
        )
        .order_by(DispatchUpdate.id)
    )
    last: dict[int, DispatchUpdate] = {}
    for update in rows.all():
        last[update.incident_id or 0] = update  # ordered by id: the newest of equals wins
    buildings = await buildings_by_id(session, [i.building_id for i in incidents])
    orgs = await organisations_by_id(session, [i.responsible_organisation_id for i in incidents])
    return [
        IncidentRow(
            i,
            incident_place(i, buildings.get(i.building_id or 0)),
            _short(orgs.get(i.responsible_organisation_id or 0)),
            last.get(i.id),
        )
        for i in incidents
    ]


async def _outage_rows(session: AsyncSession, outages: Sequence[Outage]) -> list[OutageRow]:
    houses = await house_counts(session, [o.id for o in outages])
    orgs = await organisations_by_id(session, [o.responsible_organisation_id for o in outages])
    return [
        OutageRow(o, houses.get(o.id, 0), _short(orgs.get(o.responsible_organisation_id or 0)))
        for o in outages
    ]


async def _update_rows(session: AsyncSession, updates: Sequence[DispatchUpdate]) -> list[UpdateRow]:
    incident_ids = {u.incident_id for u in updates if u.incident_id}
    outage_ids = {u.outage_id for u in updates if u.outage_id}
    incidents = (
        {
            i.id: i
            for i in (await session.scalars(select(Incident).where(Incident.id.in_(incident_ids)))).all()
        }
        if incident_ids
        else {}
    )
    outages = (
        {o.id: o for o in (await session.scalars(select(Outage).where(Outage.id.in_(outage_ids)))).all()}
        if outage_ids
        else {}
    )
    orgs = await organisations_by_id(session, [u.organisation_id for u in updates])
    names = await user_names(session, [u.author_user_id for u in updates])
    return [
        UpdateRow(
            u,
            incidents.get(u.incident_id or 0),
            outages.get(u.outage_id or 0),
            _short(orgs.get(u.organisation_id or 0)),
            names.get(u.author_user_id or 0),
        )
        for u in updates
    ]


async def _signal_rows(session: AsyncSession, signals: Sequence[OutageSignal]) -> list[SignalRow]:
    buildings = await buildings_by_id(session, [s.building_id for s in signals])
    rows = []
    for s in signals:
        building = buildings.get(s.building_id or 0)
        rows.append(SignalRow(s, address(building) if building is not None else (s.address_text or "—")))
    return rows


async def _period(
    session: AsyncSession, since: datetime | None, until: datetime | None, now: datetime
) -> tuple[datetime, datetime, ShiftHandover | None]:
    until = until or now
    previous = await last_handover(session, before=until)
    if since is None:
        since = previous.period_end if previous is not None else until - DEFAULT_SPAN
        since = max(since, until - MAX_SPAN)
    if since >= until:
        raise InvalidInput("The start of the period must be before its end.")
    if until - since > MAX_SPAN:
        raise InvalidInput("The period is too long: at most %(n)d days.", n=MAX_SPAN.days)
    return since, until, previous


async def shift_report(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
) -> ShiftReport:
    now = now or utcnow()
    since, until, previous = await _period(session, since, until, now)

    async def incidents(*conditions) -> list[IncidentRow]:  # type: ignore[no-untyped-def]
        rows = await session.scalars(
            select(Incident)
            .where(*conditions)
            .order_by(Incident.received_at.desc(), Incident.id.desc())
            .limit(ROW_LIMIT)
        )
        return await _incident_rows(session, rows.all())

    async def outages(query) -> list[OutageRow]:  # type: ignore[no-untyped-def]
        rows = await session.scalars(
            query.order_by(Outage.starts_at.desc(), Outage.id.desc()).limit(ROW_LIMIT)
        )
        return await _outage_rows(session, rows.all())

    # Resolution may be back-dated (ended_at is when supply came back): the shift ended it if the end
    # falls in the period or the dispatcher resolved it during the period.
    resolved_ids = select(AuditEvent.entity_id).where(
        AuditEvent.entity_type == "outage",
        AuditEvent.action.in_(("resolve", "cancel")),
        AuditEvent.at >= since,
        AuditEvent.at < until,
    )
    updates = (
        await session.scalars(
            select(DispatchUpdate)
            .where(DispatchUpdate.created_at >= since, DispatchUpdate.created_at < until)
            .order_by(DispatchUpdate.occurred_at, DispatchUpdate.id)
            .limit(ROW_LIMIT)
        )
    ).all()
    pending = (
        await session.scalars(
            select(DispatchUpdate)
            .where(DispatchUpdate.publish == UpdatePublish.PENDING, DispatchUpdate.created_at < until)
            .order_by(DispatchUpdate.created_at, DispatchUpdate.id)
            .limit(ROW_LIMIT)
        )
    ).all()
    signals = (
        await session.scalars(
            select(OutageSignal)
            .where(OutageSignal.status == SignalStatus.NEW, OutageSignal.created_at < until)
            .order_by(OutageSignal.created_at, OutageSignal.id)
            .limit(ROW_LIMIT)
        )
    ).all()
    return ShiftReport(
        since=since,
        until=until,
        previous=previous,
        open_incidents=await incidents(Incident.status.in_(OPEN_INCIDENT), Incident.received_at < until),
        logged=await incidents(Incident.received_at >= since, Incident.received_at < until),
        closed=await incidents(
            Incident.status == IncidentStatus.CLOSED, Incident.closed_at >= since, Incident.closed_at < until
        ),
        open_outages=await outages(select(Outage).where(Outage.status.in_(OPEN_OUTAGE))),
        published_outages=await outages(
            select(Outage).where(Outage.published_at >= since, Outage.published_at < until)
        ),
        resolved_outages=await outages(
            select(Outage).where(
                Outage.status.in_((OutageStatus.RESOLVED, OutageStatus.CANCELLED)),
                or_(Outage.id.in_(resolved_ids), and_(Outage.ended_at >= since, Outage.ended_at < until)),
            )
        ),
        updates=await _update_rows(session, updates),
        pending=await _update_rows(session, pending),
        new_signals=await _signal_rows(session, signals),
    )


async def hand_over(
    session: AsyncSession,
    user: User,
    note: str,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
) -> ShiftHandover:
    """Record that the shift was handed over, for the period its report covered."""
    actor = require_dispatcher(user)
    now = now or utcnow()
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=NOTE_LIMIT, field="note")
    since, until, _ = await _period(session, since, now, now)
    handover = ShiftHandover(
        handed_by_id=user.id, period_start=since, period_end=until, note=note, created_at=now
    )
    session.add(handover)
    await session.flush()
    record(
        session,
        actor,
        "shift_handover",
        handover.id,
        "handed_over",
        data={"from": since.isoformat(), "to": until.isoformat()},
    )
    return handover


async def get_handover(session: AsyncSession, handover_id: int) -> ShiftHandover:
    handover = await session.get(ShiftHandover, handover_id)
    if handover is None:
        raise NotFound("Hand-over not found.")
    return handover


async def handover_report(session: AsyncSession, handover: ShiftHandover) -> ShiftReport:
    """The report of a stored hand-over, rebuilt for its period. What happened in the period is
    history; the open lists are the items received before its end that are still open now."""
    return await shift_report(
        session, since=handover.period_start, until=handover.period_end, now=handover.period_end
    )


@dataclass(frozen=True, slots=True)
class HandoverRow:
    handover: ShiftHandover
    handed_by: str | None


async def recent_handovers(session: AsyncSession, *, limit: int = 30) -> list[HandoverRow]:
    rows = (
        await session.scalars(
            select(ShiftHandover)
            .order_by(ShiftHandover.period_end.desc(), ShiftHandover.id.desc())
            .limit(limit)
        )
    ).all()
    names = await user_names(session, [h.handed_by_id for h in rows])
    return [HandoverRow(h, names.get(h.handed_by_id or 0)) for h in rows]
