"""Incidents: logged with a journal number, handed to an organisation, acted on, closed.

Every change writes an audit event; the dispatcher's commands reload the incident and re-check the
role, so the panel and the bot share these rules. Each command takes ``now`` so tests pin time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, DispatchUpdate, Incident, OutageSignal, User, utcnow
from models.enums import IncidentKind, IncidentStatus, InformantKind, SignalStatus, UpdateKind, UpdatePublish
from services.audit import record
from services.errors import DomainError, InvalidInput, NotFound
from services.outages.lifecycle import require_dispatcher
from services.partners.members import active_organisation

S = IncidentStatus
OPEN = (S.OPEN, S.IN_WORK)
TEXT_LIMIT = 4000
NAME_LIMIT = 255
INCIDENT_SIGNAL = "incident"  # OutageSignal.resource of a report that is not about a resource


@dataclass(frozen=True, slots=True)
class NewIncident:
    kind: str
    received_at: datetime
    informant_kind: str
    description: str
    informant_name: str | None = None
    informant_phone: str | None = None
    informant_organisation_id: int | None = None
    informant_telegram_id: int | None = None
    building_id: int | None = None
    address_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    cause: str = ""
    responsible_organisation_id: int | None = None
    expected_end_at: datetime | None = None
    is_public: bool = True
    signal_ids: Sequence[int] = field(default_factory=tuple)  # residents' reports it answers


async def problems(session: AsyncSession, data: NewIncident, *, now: datetime) -> list[DomainError]:
    """Every reason ``data`` cannot be logged, each naming its form field."""
    found: list[DomainError] = []
    if data.kind not in set(IncidentKind):
        found.append(InvalidInput("Unknown incident kind.", field="kind"))
    if data.informant_kind not in set(InformantKind):
        found.append(InvalidInput("Choose who reported it.", field="informant_kind"))
    if not data.description.strip():
        found.append(InvalidInput("Describe what happened.", field="description"))
    if len(data.description) > TEXT_LIMIT or len(data.cause) > TEXT_LIMIT:
        found.append(
            InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT, field="description")
        )
    if len(data.informant_name or "") > NAME_LIMIT or len(data.address_text or "") > 500:
        found.append(
            InvalidInput(
                "The text is too long: at most %(n)d characters.", n=NAME_LIMIT, field="informant_name"
            )
        )
    if data.received_at > now:
        found.append(InvalidInput("The time received cannot be in the future.", field="received_at"))
    if data.expected_end_at is not None and data.expected_end_at <= data.received_at:
        found.append(
            InvalidInput("The expected end must be after the time received.", field="expected_end_at")
        )
    point = (data.latitude, data.longitude)
    if (point[0] is None) != (point[1] is None) or (
        point[0] is not None and not (-90 <= point[0] <= 90 and -180 <= (point[1] or 0) <= 180)
    ):
        found.append(InvalidInput("The map point is not valid.", field="latitude"))
    if data.building_id is not None and await session.get(Building, data.building_id) is None:
        found.append(NotFound("Building not found.", field="building_id"))
    if data.building_id is None and not (data.address_text or "").strip() and point[0] is None:
        found.append(
            InvalidInput(
                "Give the place: an address from the register, a description or a map point.",
                field="address_text",
            )
        )
    for name, org_id in (
        ("responsible_organisation_id", data.responsible_organisation_id),
        ("informant_organisation_id", data.informant_organisation_id),
    ):
        if org_id is not None:
            try:
                await active_organisation(session, org_id)
            except NotFound:
                found.append(NotFound("Organisation not found.", field=name))
    return found


async def _next_number(session: AsyncSession, year: int) -> int:
    last = await session.scalar(select(func.max(Incident.number)).where(Incident.year == year))
    return (last or 0) + 1


async def log_incident(
    session: AsyncSession, user: User, data: NewIncident, *, tz: ZoneInfo, now: datetime | None = None
) -> Incident:
    """Log an incident under the next journal number of the local year of its receipt."""
    actor = require_dispatcher(user)
    now = now or utcnow()
    refused = await problems(session, data, now=now)
    if refused:
        raise refused[0]
    building = await session.get(Building, data.building_id) if data.building_id else None
    lat, lon = data.latitude, data.longitude
    if lat is None and building is not None:
        lat, lon = building.latitude, building.longitude
    year = data.received_at.astimezone(tz).year
    for attempt in range(5):
        incident = Incident(
            year=year,
            number=await _next_number(session, year),
            kind=data.kind,
            status=S.OPEN,
            received_at=data.received_at,
            informant_kind=data.informant_kind,
            informant_name=(data.informant_name or "").strip() or None,
            informant_phone=(data.informant_phone or "").strip() or None,
            informant_organisation_id=data.informant_organisation_id,
            informant_telegram_id=data.informant_telegram_id,
            building_id=data.building_id,
            address_text=(data.address_text or "").strip() or None,
            latitude=lat,
            longitude=lon,
            description=data.description.strip(),
            cause=data.cause.strip(),
            responsible_organisation_id=data.responsible_organisation_id,
            expected_end_at=data.expected_end_at,
            is_public=data.is_public,
            created_by_id=user.id,
            created_at=now,
            updated_at=now,
        )
        try:
            async with session.begin_nested():  # two dispatchers at once: the second takes the next number
                session.add(incident)
                await session.flush()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    record(
        session,
        actor,
        "incident",
        incident.id,
        "logged",
        new_state=S.OPEN,
        data={"number": incident.journal_number, "kind": data.kind, "building": data.building_id},
    )
    if data.responsible_organisation_id is not None:
        _journal(
            session,
            incident,
            UpdateKind.ASSIGNED,
            user,
            now,
            text="",
            organisation_id=data.responsible_organisation_id,
        )
    if data.signal_ids:
        await link_signals(session, user, incident, data.signal_ids)
    await session.flush()
    return incident


async def get_incident(session: AsyncSession, incident_id: int) -> Incident:
    incident = await session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("Incident not found.")
    return incident


def _open(incident: Incident) -> None:
    if incident.status not in OPEN:
        raise InvalidInput("The incident is already closed.")


def _journal(
    session: AsyncSession,
    incident: Incident,
    kind: UpdateKind,
    user: User | None,
    now: datetime,
    *,
    text: str,
    occurred_at: datetime | None = None,
    organisation_id: int | None = None,
    expected_end_at: datetime | None = None,
    publish: UpdatePublish = UpdatePublish.INTERNAL,
) -> DispatchUpdate:
    update = DispatchUpdate(
        incident_id=incident.id,
        kind=kind,
        occurred_at=occurred_at or now,
        text=text,
        expected_end_at=expected_end_at,
        author_user_id=user.id if user is not None else None,
        organisation_id=organisation_id,
        publish=publish,
        created_at=now,
    )
    session.add(update)
    return update


async def link_signals(
    session: AsyncSession, user: User, incident: Incident, signal_ids: Sequence[int]
) -> int:
    """Attach residents' reports to the incident: their authors hear when it is closed."""
    actor = require_dispatcher(user)
    rows = (
        await session.scalars(
            select(OutageSignal).where(
                OutageSignal.id.in_(list(signal_ids)), OutageSignal.status == SignalStatus.NEW
            )
        )
    ).all()
    for signal in rows:
        signal.status = SignalStatus.LINKED
        signal.incident_id = incident.id
        record(
            session,
            actor,
            "outage_signal",
            signal.id,
            "linked",
            new_state=SignalStatus.LINKED,
            data={"incident": incident.id},
        )
    if rows and incident.informant_telegram_id is None:
        incident.informant_telegram_id = rows[0].telegram_id
    return len(rows)


async def set_responsible(
    session: AsyncSession,
    user: User,
    incident_id: int,
    organisation_id: int | None,
    *,
    now: datetime | None = None,
) -> Incident:
    """Hand the incident to an organisation (None: take it back). The caller notifies its people
    (``services.partners.notices.notify_assigned``)."""
    actor = require_dispatcher(user)
    now = now or utcnow()
    incident = await get_incident(session, incident_id)
    _open(incident)
    if organisation_id is not None:
        await active_organisation(session, organisation_id)
    old = incident.responsible_organisation_id
    if old == organisation_id:
        return incident
    incident.responsible_organisation_id = organisation_id
    incident.acknowledged_at = None
    incident.updated_at = now
    _journal(session, incident, UpdateKind.ASSIGNED, user, now, text="", organisation_id=organisation_id)
    record(session, actor, "incident", incident.id, "assigned", data={"from": old, "to": organisation_id})
    await session.flush()
    return incident


@dataclass(frozen=True, slots=True)
class ActionInput:
    text: str
    occurred_at: datetime | None = None  # when it was done; default: now (a dispatcher may log it late)
    expected_end_at: datetime | None = None
    public: bool = False  # residents subscribed to the place hear of it (the caller broadcasts)


async def add_action(
    session: AsyncSession, user: User, incident_id: int, data: ActionInput, *, now: datetime | None = None
) -> DispatchUpdate:
    """A measure taken or news, with its time. The first action puts an open incident in work."""
    actor = require_dispatcher(user)
    now = now or utcnow()
    incident = await get_incident(session, incident_id)
    _open(incident)
    text = data.text.strip()
    if not text:
        raise InvalidInput("Describe the action.")
    if len(text) > TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT)
    occurred = data.occurred_at or now
    if occurred > now:
        raise InvalidInput("The time of an action cannot be in the future.")
    if data.expected_end_at is not None:
        if data.expected_end_at <= now:
            raise InvalidInput("The expected end must be in the future.")
        incident.expected_end_at = data.expected_end_at
    old = incident.status
    if incident.status == S.OPEN:
        incident.status = S.IN_WORK
    incident.updated_at = now
    update = _journal(
        session,
        incident,
        UpdateKind.ACTION if not data.public else UpdateKind.PROGRESS,
        user,
        now,
        text=text,
        occurred_at=occurred,
        expected_end_at=data.expected_end_at,
        publish=UpdatePublish.PUBLISHED if data.public else UpdatePublish.INTERNAL,
    )
    await session.flush()
    record(
        session,
        actor,
        "incident",
        incident.id,
        "action",
        old_state=old,
        new_state=incident.status,
        data={"update": update.id, "public": data.public},
    )
    return update


async def close_incident(
    session: AsyncSession,
    user: User,
    incident_id: int,
    note: str,
    *,
    closed_at: datetime | None = None,
    now: datetime | None = None,
) -> Incident:
    """Close with what was done. The caller tells the informant and subscribers (``notices``)."""
    actor = require_dispatcher(user)
    now = now or utcnow()
    incident = await get_incident(session, incident_id)
    _open(incident)
    note = note.strip()
    if not note:
        raise InvalidInput("Say how the incident ended.")
    if len(note) > TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT)
    closed_at = closed_at or now
    if closed_at > now or closed_at < incident.received_at:
        raise InvalidInput("The closing time must be between the time received and now.")
    old = incident.status
    incident.status = S.CLOSED
    incident.closed_at = closed_at
    incident.closing_note = note
    incident.updated_at = now
    _journal(session, incident, UpdateKind.CLOSED, user, now, text=note, occurred_at=closed_at)
    record(session, actor, "incident", incident.id, "closed", old_state=old, new_state=S.CLOSED, reason=note)
    await session.flush()
    return incident


async def reopen_incident(
    session: AsyncSession, user: User, incident_id: int, reason: str, *, now: datetime | None = None
) -> Incident:
    actor = require_dispatcher(user)
    now = now or utcnow()
    incident = await get_incident(session, incident_id)
    if incident.status != S.CLOSED:
        raise InvalidInput("The incident is not closed.")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the incident is reopened.")
    incident.status = S.IN_WORK
    incident.closed_at = None
    incident.updated_at = now
    _journal(session, incident, UpdateKind.REOPENED, user, now, text=reason)
    record(
        session,
        actor,
        "incident",
        incident.id,
        "reopened",
        old_state=S.CLOSED,
        new_state=S.IN_WORK,
        reason=reason,
    )
    await session.flush()
    return incident


async def journal_of(session: AsyncSession, incident_id: int) -> list[DispatchUpdate]:
    rows = await session.scalars(
        select(DispatchUpdate)
        .where(DispatchUpdate.incident_id == incident_id)
        .order_by(DispatchUpdate.occurred_at, DispatchUpdate.id)
    )
    return list(rows.all())


async def open_incidents(session: AsyncSession, *, limit: int = 200) -> list[Incident]:
    rows = await session.scalars(
        select(Incident).where(Incident.status.in_(OPEN)).order_by(Incident.received_at.desc()).limit(limit)
    )
    return list(rows.all())
