"""Updates from the field: an organisation acknowledges and reports on an incident or an outage;
the dispatcher approves what residents hear, unless the organisation publishes directly.

A target is an incident or an outage, named by :class:`Target`; the bot's callback data and the
panel's forms carry only its kind and id, so every command reloads it and re-checks the rights:
the dispatcher, or a member of the organisation responsible for it right now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import DispatchUpdate, Incident, Organisation, Outage, User, utcnow
from models.enums import (
    IncidentStatus,
    OutageStatus,
    PublishMode,
    Role,
    UpdateKind,
    UpdatePublish,
)
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_
from services.partners.members import organisation_of

TEXT_LIMIT = 4000
OPEN_OUTAGE = (OutageStatus.PLANNED, OutageStatus.ACTIVE)
OPEN_INCIDENT = (IncidentStatus.OPEN, IncidentStatus.IN_WORK)


@dataclass(frozen=True, slots=True)
class Target:
    kind: Literal["incident", "outage"]
    id: int

    @property
    def code(self) -> str:
        """One letter for callback data: ``i`` or ``o``."""
        return self.kind[0]

    @classmethod
    def parse(cls, code: str, target_id: int) -> Target:
        kinds: dict[str, Literal["incident", "outage"]] = {"i": "incident", "o": "outage"}
        if code not in kinds:
            raise NotFound("Not found.")
        return cls(kinds[code], target_id)


async def load(session: AsyncSession, target: Target) -> Incident | Outage:
    row = await session.get(Incident if target.kind == "incident" else Outage, target.id)
    if row is None and target.kind == "incident":
        raise NotFound("Incident not found.")
    if row is None:
        raise NotFound("Outage not found.")
    return row


def is_open(row: Incident | Outage) -> bool:
    return row.status in (OPEN_INCIDENT if isinstance(row, Incident) else OPEN_OUTAGE)


async def responsible_member(session: AsyncSession, user: User, row: Incident | Outage) -> Organisation:
    """The organisation ``user`` acts for on ``row``; refused unless it is the responsible one."""
    org = await organisation_of(session, user)
    if org is None or not org.is_active or not user.is_active or org.id != row.responsible_organisation_id:
        raise PermissionDenied("This is no longer addressed to your organisation.")
    return org


def _is_dispatcher(user: User) -> bool:
    return user.is_active and user.has_role(Role.DISPATCHER)


def _new(row: Incident | Outage, **values: object) -> DispatchUpdate:
    if isinstance(row, Incident):
        return DispatchUpdate(incident_id=row.id, **values)
    return DispatchUpdate(outage_id=row.id, **values)


async def acknowledge(
    session: AsyncSession, user: User, target: Target, *, now: datetime | None = None
) -> bool:
    """The responsible organisation took it. False when it already had (a second press)."""
    now = now or utcnow()
    row = await load(session, target)
    org = await responsible_member(session, user, row)
    if not is_open(row):
        raise InvalidInput("This is already closed.")
    if row.acknowledged_at is not None:
        return False
    row.acknowledged_at = now
    if isinstance(row, Incident) and row.status == IncidentStatus.OPEN:
        row.status = IncidentStatus.IN_WORK
    session.add(
        _new(
            row,
            kind=UpdateKind.ACKNOWLEDGED,
            occurred_at=now,
            text="",
            author_user_id=user.id,
            organisation_id=org.id,
            created_at=now,
        )
    )
    record(
        session, Actor(user_id=user.id), target.kind, row.id, "acknowledged", data={"organisation": org.id}
    )
    await session.flush()
    return True


@dataclass(frozen=True, slots=True)
class FieldReport:
    text: str
    expected_end_at: datetime | None = None  # the organisation's estimate of restoration
    for_residents: bool = True  # False: an internal note for the dispatcher only


def _checked(data: FieldReport, now: datetime, empty: str) -> str:
    """The report's text, refused when empty (``empty`` says what to write) or too long, or when its
    expected restoration time is already past."""
    text = data.text.strip()
    if not text:
        raise InvalidInput(empty)
    if len(text) > TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT)
    if data.expected_end_at is not None and data.expected_end_at <= now:
        raise InvalidInput("The expected restoration time must be in the future.")
    return text


async def post_report(
    session: AsyncSession, user: User, target: Target, data: FieldReport, *, now: datetime | None = None
) -> DispatchUpdate:
    """An organisation's report. For residents it is published at once (``PublishMode.DIRECT``) or
    waits for the dispatcher (``APPROVAL``); the caller broadcasts a published one
    (``services.incidents.update_notices``) or asks the dispatcher. Photos are linked by the
    caller (``FileOrigin.dispatch_update_id``)."""
    now = now or utcnow()
    row = await load(session, target)
    org = await responsible_member(session, user, row)
    if not is_open(row):
        raise InvalidInput("This is already closed.")
    text = _checked(data, now, N_("Write what has been done or found."))
    if not data.for_residents:
        publish = UpdatePublish.INTERNAL
    elif org.publish_mode == PublishMode.DIRECT:
        publish = UpdatePublish.PUBLISHED
    else:
        publish = UpdatePublish.PENDING
    if row.acknowledged_at is None:
        row.acknowledged_at = now  # reporting is taking it
    if isinstance(row, Incident) and row.status == IncidentStatus.OPEN:
        row.status = IncidentStatus.IN_WORK
    if data.expected_end_at is not None and publish != UpdatePublish.PENDING:
        row.expected_end_at = data.expected_end_at
    update = _new(
        row,
        kind=UpdateKind.PROGRESS,
        occurred_at=now,
        text=text,
        expected_end_at=data.expected_end_at,
        author_user_id=user.id,
        organisation_id=org.id,
        publish=publish,
        created_at=now,
    )
    session.add(update)
    await session.flush()
    record(
        session,
        Actor(user_id=user.id),
        target.kind,
        row.id,
        "field_report",
        data={"update": update.id, "publish": publish},
    )
    return update


async def post_dispatcher_update(
    session: AsyncSession, user: User, target: Target, data: FieldReport, *, now: datetime | None = None
) -> DispatchUpdate:
    """The dispatcher's own news for residents (or a note): published at once."""
    if not _is_dispatcher(user):
        raise PermissionDenied("Only a dispatcher can do this.")
    now = now or utcnow()
    row = await load(session, target)
    if not is_open(row):
        raise InvalidInput("This is already closed.")
    text = _checked(data, now, N_("Write the update."))
    if data.expected_end_at is not None:
        row.expected_end_at = data.expected_end_at
    update = _new(
        row,
        kind=UpdateKind.PROGRESS,
        occurred_at=now,
        text=text,
        expected_end_at=data.expected_end_at,
        author_user_id=user.id,
        publish=UpdatePublish.PUBLISHED if data.for_residents else UpdatePublish.INTERNAL,
        created_at=now,
    )
    session.add(update)
    await session.flush()
    record(session, Actor(user_id=user.id), target.kind, row.id, "update", data={"update": update.id})
    return update


async def decide(
    session: AsyncSession, user: User, update_id: int, *, approve: bool, now: datetime | None = None
) -> DispatchUpdate:
    """The dispatcher lets a pending report through to residents, or keeps it in the journal.
    A second decision is refused (two dispatchers pressing at once)."""
    if not _is_dispatcher(user):
        raise PermissionDenied("Only a dispatcher can do this.")
    now = now or utcnow()
    update = await session.get(DispatchUpdate, update_id)
    if update is None:
        raise NotFound("Update not found.")
    if update.publish != UpdatePublish.PENDING:
        raise InvalidInput("This update has already been decided.")
    target = (
        Target("incident", update.incident_id)
        if update.incident_id
        else Target("outage", update.outage_id or 0)
    )
    row = await load(session, target)
    if approve and not is_open(row):
        # Residents would read news of something already over: it stays in the journal.
        raise InvalidInput("This is already closed: the report stays in the journal.")
    update.publish = UpdatePublish.PUBLISHED if approve else UpdatePublish.REJECTED
    update.decided_by_id = user.id
    update.decided_at = now
    if approve and update.expected_end_at is not None and update.expected_end_at > now:
        row.expected_end_at = update.expected_end_at
    record(
        session,
        Actor(user_id=user.id),
        "dispatch_update",
        update.id,
        "approved" if approve else "rejected",
        new_state=update.publish,
    )
    await session.flush()
    return update


async def updates_of(session: AsyncSession, target: Target) -> list[DispatchUpdate]:
    column = DispatchUpdate.incident_id if target.kind == "incident" else DispatchUpdate.outage_id
    rows = await session.scalars(
        select(DispatchUpdate)
        .where(column == target.id)
        .order_by(DispatchUpdate.occurred_at, DispatchUpdate.id)
    )
    return list(rows.all())


async def pending_updates(session: AsyncSession, *, limit: int = 50) -> list[DispatchUpdate]:
    rows = await session.scalars(
        select(DispatchUpdate)
        .where(DispatchUpdate.publish == UpdatePublish.PENDING)
        .order_by(DispatchUpdate.created_at)
        .limit(limit)
    )
    return list(rows.all())
