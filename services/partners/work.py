"""An outside organisation's work in the bot: what is addressed to it now, and the files of its reports.

The bot's «Work of the organisation» list and the report conversation use these; acknowledging,
reporting and publishing themselves live in :mod:`services.incidents.updates` (which imports this
package, so nothing here imports it back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import DispatchUpdate, Incident, Outage, StoredFile, User
from models.enums import IncidentStatus, OutageStatus, UpdateKind
from services.audit import Actor, record
from services.errors import InvalidInput, PermissionDenied
from services.files import FileOrigin, store_file

# The list in the bot shows this many cards; the rest are counted (the panel has the full journal).
WORK_LIMIT = 10
MAX_REPORT_FILES = 10
# The same «open» as services.incidents.updates: only these can be acknowledged or reported on.
OPEN_INCIDENT = (IncidentStatus.OPEN, IncidentStatus.IN_WORK)
OPEN_OUTAGE = (OutageStatus.PLANNED, OutageStatus.ACTIVE)

WorkKind = Literal["incident", "outage"]


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: WorkKind
    row: Incident | Outage

    @property
    def since(self) -> datetime:
        return self.row.received_at if isinstance(self.row, Incident) else self.row.starts_at


async def open_work(session: AsyncSession, organisation_id: int) -> list[WorkItem]:
    """Open incidents and outages the organisation is responsible for: those it has not yet taken
    first, each group newest first."""
    incidents = await session.scalars(
        select(Incident).where(
            Incident.responsible_organisation_id == organisation_id, Incident.status.in_(OPEN_INCIDENT)
        )
    )
    outages = await session.scalars(
        select(Outage).where(
            Outage.responsible_organisation_id == organisation_id, Outage.status.in_(OPEN_OUTAGE)
        )
    )
    items = [WorkItem("incident", i) for i in incidents.all()]
    items += [WorkItem("outage", o) for o in outages.all()]
    items.sort(key=lambda w: w.since, reverse=True)
    items.sort(key=lambda w: w.row.acknowledged_at is not None)  # stable: untaken first
    return items


async def acknowledged_by(session: AsyncSession, kind: WorkKind, target_id: int) -> User | None:
    """Who of the organisation took it (the latest acknowledgement), for the card."""
    column = DispatchUpdate.incident_id if kind == "incident" else DispatchUpdate.outage_id
    author_id = await session.scalar(
        select(DispatchUpdate.author_user_id)
        .where(column == target_id, DispatchUpdate.kind == UpdateKind.ACKNOWLEDGED)
        .order_by(DispatchUpdate.id.desc())
        .limit(1)
    )
    return await session.get(User, author_id) if author_id is not None else None


@dataclass(frozen=True, slots=True)
class ReportFile:
    data: bytes
    filename: str | None
    telegram_file_id: str | None = None
    telegram_file_unique_id: str | None = None


async def attach_files(
    session: AsyncSession, user: User, update_id: int, files_dir: Path, files: Sequence[ReportFile]
) -> list[StoredFile]:
    """Keep the photos and scans of ``user``'s own report ``update_id`` (checked again by type and size)."""
    update = await session.get(DispatchUpdate, update_id)
    if update is None or update.author_user_id != user.id:
        raise PermissionDenied("Only the author can add files to this report.")
    if len(files) > MAX_REPORT_FILES:
        raise InvalidInput("At most %(n)d files can be attached.", n=MAX_REPORT_FILES)
    stored = []
    for f in files:
        origin = FileOrigin(
            uploaded_by_user_id=user.id,
            uploaded_by_telegram_id=user.telegram_id,
            telegram_file_id=f.telegram_file_id,
            telegram_file_unique_id=f.telegram_file_unique_id,
            dispatch_update_id=update.id,
        )
        stored.append(await store_file(session, files_dir, f.data, filename=f.filename, origin=origin))
    if stored:
        record(
            session,
            Actor(user_id=user.id),
            "dispatch_update",
            update.id,
            "files_added",
            data={"files": [s.id for s in stored]},
        )
    return stored


async def files_of(session: AsyncSession, update_id: int) -> list[StoredFile]:
    rows = await session.scalars(
        select(StoredFile).where(StoredFile.dispatch_update_id == update_id).order_by(StoredFile.id)
    )
    return list(rows.all())
