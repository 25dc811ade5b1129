"""Planned outages on the scheduler's clock: a warning before the start, notices at start and end.

Run with an explicit ``now``. Idempotent across runs and restarts: the warning writes an audit row
(``outage``/``warn``) in the same transaction as its notices, start and end are status transitions,
and every notice carries an outbox dedup key. A planned outage whose expected end has come is
resolved by the scan (residents hear supply is back); to keep it open the dispatcher extends it.
Runs missed while the service was down are coalesced: no warning once the start has passed, no
start notice once the end has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Outage
from models.enums import OutageKind, OutageStatus
from services.audit import Actor, record
from services.notify import NoticeContext
from services.outages import notices
from services.outages.lifecycle import current_building_ids, finish
from services.outages.social import alert_new_objects

ACTOR = Actor.system("scheduler")
WARN = "warn"
BATCH_LIMIT = 200


@dataclass
class PlannedScanResult:
    warned: int = 0
    started: int = 0
    ended: int = 0
    queued: int = 0  # outbox rows


def _not_warned():  # type: ignore[no-untyped-def]
    return ~exists().where(
        and_(AuditEvent.entity_type == "outage", AuditEvent.entity_id == Outage.id, AuditEvent.action == WARN)
    )


async def _notify(session: AsyncSession, ctx: NoticeContext, outage: Outage, event: str) -> int:
    recipients = await notices.subscribers(session, await current_building_ids(session, outage.id))
    return (await notices.broadcast(session, ctx, outage, event, recipients.values())).queued


async def planned_scan(
    session: AsyncSession, ctx: NoticeContext, now: datetime, warn_before: timedelta = timedelta(hours=24)
) -> PlannedScanResult:
    result = PlannedScanResult()
    planned = Outage.kind == OutageKind.PLANNED
    # Ended: resolved at the planned time (not at the scan's time: the log needs the real duration).
    ending = (
        await session.scalars(
            select(Outage)
            .where(planned, Outage.status == OutageStatus.ACTIVE, Outage.expected_end_at <= now)
            .order_by(Outage.expected_end_at)
            .limit(BATCH_LIMIT)
        )
    ).all()
    for outage in ending:
        assert outage.expected_end_at is not None
        result.queued += (await finish(session, ctx, ACTOR, outage, outage.expected_end_at)).queued
        result.ended += 1
    # Started: planned → active; a run that comes after the end as well only resolves it.
    starting = (
        await session.scalars(
            select(Outage)
            .where(planned, Outage.status == OutageStatus.PLANNED, Outage.starts_at <= now)
            .order_by(Outage.starts_at)
            .limit(BATCH_LIMIT)
        )
    ).all()
    for outage in starting:
        outage.status = OutageStatus.ACTIVE
        record(
            session,
            ACTOR,
            "outage",
            outage.id,
            "start",
            old_state=OutageStatus.PLANNED,
            new_state=OutageStatus.ACTIVE,
        )
        await session.flush()
        if outage.expected_end_at is not None and outage.expected_end_at <= now:
            result.queued += (await finish(session, ctx, ACTOR, outage, outage.expected_end_at)).queued
            result.ended += 1
            continue
        result.queued += await _notify(session, ctx, outage, "start")
        # Normally announced when published; this catches objects that escaped that (see social).
        result.queued += (await alert_new_objects(session, ctx, ACTOR, outage, now=now)).queued
        result.started += 1
    # Warned once, unless it was published inside the window (the publish notice was the warning).
    upcoming = (
        await session.scalars(
            select(Outage)
            .where(
                planned,
                Outage.status == OutageStatus.PLANNED,
                Outage.starts_at > now,
                Outage.starts_at <= now + warn_before,
                _not_warned(),
            )
            .order_by(Outage.starts_at)
            .limit(BATCH_LIMIT)
        )
    ).all()
    for outage in upcoming:
        fresh = outage.published_at is not None and outage.published_at > outage.starts_at - warn_before
        record(session, ACTOR, "outage", outage.id, WARN, data={"skipped": fresh})
        if not fresh:
            result.queued += await _notify(session, ctx, outage, WARN)
            result.warned += 1
    await session.flush()
    return result
