"""How an outside organisation worked over a period ``[start, end)``.

Definitions (README, "Outside organisations"):

- **addressed**: incidents and outages that are the organisation's now and were sent to it in the
  period — the moment of the last «sent to the organisation» journal entry for it, or, without one,
  when the incident was received / the outage began;
- **acknowledged**: of those, the ones it took; **median minutes to acknowledge**: from sending to
  taking, over the acknowledged ones;
- **closed**: of those, incidents closed and outages resolved (at any time up to now);
- **overdue**: of those, the ones with an expected end that ended after it, or are still open past it;
- **reports**: the organisation's field reports made in the period (about anything);
- **assignments**: the figures of ``services.analytics.kpi`` for the organisation's department.

An ЕДДС journal holds hundreds of entries a month, not millions: the rows of the period are read
and counted here, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import DispatchUpdate, Incident, Organisation, Outage, utcnow
from models.enums import IncidentStatus, OutageStatus, UpdateKind
from services.analytics.kpi import AssignmentKpi, GroupBy, Scope, assignment_kpi_by


@dataclass
class OrganisationKpi:
    organisation: Organisation
    incidents: int = 0
    outages: int = 0
    acknowledged: int = 0
    closed: int = 0
    overdue: int = 0
    reports: int = 0
    ack_minutes: list[float] = field(default_factory=list, repr=False)
    assignments: AssignmentKpi = field(default_factory=AssignmentKpi)

    @property
    def addressed(self) -> int:
        return self.incidents + self.outages

    @property
    def median_ack_minutes(self) -> float | None:
        return statistics.median(self.ack_minutes) if self.ack_minutes else None


async def _sent_at(session: AsyncSession, org_ids: Sequence[int]) -> dict[tuple[str, int, int], datetime]:
    """The last «sent to the organisation» moment per (kind, target id, organisation)."""
    rows = await session.execute(
        select(
            DispatchUpdate.incident_id,
            DispatchUpdate.outage_id,
            DispatchUpdate.organisation_id,
            func.max(DispatchUpdate.occurred_at),
        )
        .where(DispatchUpdate.kind == UpdateKind.ASSIGNED, DispatchUpdate.organisation_id.in_(org_ids))
        .group_by(DispatchUpdate.incident_id, DispatchUpdate.outage_id, DispatchUpdate.organisation_id)
    )
    found: dict[tuple[str, int, int], datetime] = {}
    for incident_id, outage_id, org_id, at in rows.all():
        if incident_id is not None:
            found[("incident", incident_id, org_id)] = at
        elif outage_id is not None:
            found[("outage", outage_id, org_id)] = at
    return found


def _count(
    row: OrganisationKpi,
    sent: datetime,
    acknowledged_at: datetime | None,
    ended_at: datetime | None,
    expected_end_at: datetime | None,
    now: datetime,
) -> None:
    if acknowledged_at is not None:
        row.acknowledged += 1
        row.ack_minutes.append(max((acknowledged_at - sent).total_seconds() / 60, 0.0))
    if ended_at is not None:
        row.closed += 1
    if expected_end_at is not None and (ended_at or now) > expected_end_at:
        row.overdue += 1


async def organisation_kpis(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    organisations: Sequence[Organisation] | None = None,
) -> list[OrganisationKpi]:
    """One row per organisation (all of them, active first, by name, unless given)."""
    now = now or utcnow()
    if organisations is None:
        organisations = (
            await session.scalars(
                select(Organisation).order_by(Organisation.is_active.desc(), Organisation.name)
            )
        ).all()
    result = {org.id: OrganisationKpi(org) for org in organisations}
    if not result:
        return []
    ids = list(result)
    sent_at = await _sent_at(session, ids)

    def in_period(moment: datetime) -> bool:
        return start <= moment < end

    incidents = await session.scalars(select(Incident).where(Incident.responsible_organisation_id.in_(ids)))
    for inc in incidents.all():
        org_id = inc.responsible_organisation_id
        assert org_id is not None
        sent = sent_at.get(("incident", inc.id, org_id), inc.received_at)
        if not in_period(sent):
            continue
        row = result[org_id]
        row.incidents += 1
        closed = inc.closed_at if inc.status == IncidentStatus.CLOSED else None
        _count(row, sent, inc.acknowledged_at, closed, inc.expected_end_at, now)

    outages = await session.scalars(
        select(Outage).where(
            Outage.responsible_organisation_id.in_(ids),
            Outage.status.in_((OutageStatus.PLANNED, OutageStatus.ACTIVE, OutageStatus.RESOLVED)),
        )
    )
    for out in outages.all():
        org_id = out.responsible_organisation_id
        assert org_id is not None
        sent = sent_at.get(("outage", out.id, org_id), out.starts_at)
        if not in_period(sent):
            continue
        row = result[org_id]
        row.outages += 1
        ended = out.ended_at if out.status == OutageStatus.RESOLVED else None
        _count(row, sent, out.acknowledged_at, ended, out.expected_end_at, now)

    reports = await session.execute(
        select(DispatchUpdate.organisation_id, func.count())
        .where(
            DispatchUpdate.organisation_id.in_(ids),
            DispatchUpdate.kind == UpdateKind.PROGRESS,
            DispatchUpdate.created_at >= start,
            DispatchUpdate.created_at < end,
        )
        .group_by(DispatchUpdate.organisation_id)
    )
    for org_id, n in reports.all():
        result[org_id].reports = n

    if len(result) == 1:  # one card: the department's own figures, cheaper than grouping them all
        (row,) = result.values()
        scope = Scope(department_id=row.organisation.department_id)
        row.assignments = (await assignment_kpi_by(session, start, end, now=now, scope=scope))[None]
        return [row]
    by_department = await assignment_kpi_by(session, start, end, now=now, group=GroupBy.DEPARTMENT)
    for row in result.values():
        row.assignments = by_department.get(row.organisation.department_id) or AssignmentKpi()
    return list(result.values())


async def organisation_kpi(
    session: AsyncSession,
    organisation: Organisation,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> OrganisationKpi:
    """One organisation's figures (its card in the panel)."""
    return (await organisation_kpis(session, start, end, now=now, organisations=[organisation]))[0]
