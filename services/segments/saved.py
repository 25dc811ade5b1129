"""Saved segments: create, edit, archive (audited), and resolve one to its members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Segment, User, utcnow
from services import audit
from services.audience.access import can_manage
from services.audit import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_
from services.segments import query
from services.segments.filters import SegmentFilters, parse

ENTITY = "segment"
NAME_LIMIT = 255
DESCRIPTION_LIMIT = 2000


def _check(user: User | None) -> Actor:
    if not can_manage(user):
        raise PermissionDenied(N_("Segments are for managers and clerks."))
    assert user is not None
    return Actor(user_id=user.id)


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(N_("Give the segment a name."))
    if len(name) > NAME_LIMIT:
        raise InvalidInput(N_("The name is too long (at most %(limit)s characters)."), limit=NAME_LIMIT)
    return name


async def get(session: AsyncSession, segment_id: int) -> Segment:
    segment = await session.get(Segment, segment_id)
    if segment is None:
        raise NotFound(N_("No such segment."))
    return segment


async def listing(session: AsyncSession, *, archived: bool = False) -> Sequence[Segment]:
    cond = Segment.archived_at.is_not(None) if archived else Segment.archived_at.is_(None)
    return (await session.scalars(select(Segment).where(cond).order_by(Segment.name, Segment.id))).all()


async def create(
    session: AsyncSession,
    user: User | None,
    *,
    name: str,
    filters: SegmentFilters | dict[str, Any],
    description: str = "",
) -> Segment:
    actor = _check(user)
    spec = filters if isinstance(filters, SegmentFilters) else parse(filters)
    segment = Segment(
        name=_name(name),
        description=(description or "").strip()[:DESCRIPTION_LIMIT],
        filters=spec.to_json(),
        created_by_id=actor.user_id,
    )
    session.add(segment)
    await session.flush()
    audit.record(
        session,
        actor,
        ENTITY,
        segment.id,
        "created",
        new_state="active",
        data={"name": segment.name, "filters": segment.filters},
    )
    return segment


async def update(
    session: AsyncSession,
    user: User | None,
    segment_id: int,
    *,
    name: str,
    filters: SegmentFilters | dict[str, Any],
    description: str = "",
) -> Segment:
    actor = _check(user)
    segment = await get(session, segment_id)
    if segment.archived_at is not None:
        raise InvalidInput(N_("The segment is archived; restore it to edit."))
    spec = filters if isinstance(filters, SegmentFilters) else parse(filters)
    before = {"name": segment.name, "description": segment.description, "filters": segment.filters}
    segment.name = _name(name)
    segment.description = (description or "").strip()[:DESCRIPTION_LIMIT]
    segment.filters = spec.to_json()
    segment.updated_at = utcnow()
    after = {"name": segment.name, "description": segment.description, "filters": segment.filters}
    if after != before:
        audit.record(session, actor, ENTITY, segment.id, "edited", data={"before": before, "after": after})
    return segment


async def archive(
    session: AsyncSession, user: User | None, segment_id: int, *, restore: bool = False
) -> Segment:
    actor = _check(user)
    segment = await get(session, segment_id)
    if (segment.archived_at is None) == (not restore):
        segment.archived_at = None if restore else utcnow()
        segment.updated_at = utcnow()
        audit.record(
            session,
            actor,
            ENTITY,
            segment.id,
            "restored" if restore else "archived",
            old_state="archived" if restore else "active",
            new_state="active" if restore else "archived",
        )
    return segment


def filters_of(segment: Segment) -> SegmentFilters:
    return parse(segment.filters or {})


async def resolve(
    session: AsyncSession, segment_id: int, *, now: datetime | None = None, tz: tzinfo = UTC
) -> list[query.Member]:
    """The members of a saved segment now (archived segments resolve too: a mailing may use one)."""
    segment = await get(session, segment_id)
    return await query.members(session, filters_of(segment), now=now, tz=tz)
