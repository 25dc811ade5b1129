"""Who looked at whose personal data: the card opened, a person's data exported, a list exported,
an erasure. Written by the panel; the list is for administrators (152-FZ art. 19: access control)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import PdAccessLog, User, utcnow
from models.enums import Role
from services.errors import PermissionDenied

VIEW_CARD, EXPORT, ERASE, LIST_EXPORT = "view_card", "export", "erase", "list_export"
ACTIONS = (VIEW_CARD, EXPORT, ERASE, LIST_EXPORT)
PAGE_LIMIT = 500


def note(
    session: AsyncSession,
    user_id: int | None,
    action: str,
    *,
    correspondent_id: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> PdAccessLog:
    """One line of the log (the request's transaction commits it with the rest)."""
    row = PdAccessLog(
        at=now or utcnow(), user_id=user_id, correspondent_id=correspondent_id, action=action, ip=(ip or None)
    )
    session.add(row)
    return row


@dataclass(frozen=True, slots=True)
class LogFilter:
    user_id: int | None = None
    correspondent_id: int | None = None
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    action: str | None = None


async def entries(session: AsyncSession, reader: User, f: LogFilter) -> Sequence[PdAccessLog]:
    """The newest lines matching ``f``; administrators only."""
    if not reader.has_role(Role.ADMIN):
        raise PermissionDenied("Only administrators may read the personal data access log.")
    query = select(PdAccessLog)
    if f.user_id is not None:
        query = query.where(PdAccessLog.user_id == f.user_id)
    if f.correspondent_id is not None:
        query = query.where(PdAccessLog.correspondent_id == f.correspondent_id)
    if f.since is not None:
        query = query.where(PdAccessLog.at >= f.since)
    if f.until is not None:
        query = query.where(PdAccessLog.at < f.until)
    if f.action in ACTIONS:
        query = query.where(PdAccessLog.action == f.action)
    return (
        await session.scalars(query.order_by(PdAccessLog.at.desc(), PdAccessLog.id.desc()).limit(PAGE_LIMIT))
    ).all()
