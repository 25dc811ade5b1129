"""SLA clocks of a request, counted in working minutes on the organisation's calendar.

* **Reaction**: from filing to the first response (taken into work, or a public comment by the
  service). **Resolution**: from filing to «resolved».
* Targets come from the topic's row for the urgency, else the default row (no topic), else
  ``DEFAULT_TARGETS``; they are copied onto the request when it is filed or its urgency changes.
* Waiting for the requester pauses both clocks: the working minutes spent waiting are added to
  ``paused_minutes`` when the requester answers, and the due moments move by as much.
* A reopened request keeps its resolution clock: the time it spent resolved counts as paused.
* Whether a target was met is fixed when its clock stops (``reaction_met``, ``resolution_met``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceRequest, SlaTarget
from models.enums import ServiceStatus, ServiceUrgency
from services.work_calendar.clock import WorkCalendar

# Working minutes (reaction, resolution) when nothing is configured.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    ServiceUrgency.CRITICAL: (30, 4 * 60),
    ServiceUrgency.HIGH: (60, 8 * 60),
    ServiceUrgency.NORMAL: (4 * 60, 16 * 60),
    ServiceUrgency.LOW: (8 * 60, 40 * 60),
}
# A warning goes out when this share of a target's working time is used up.
WARN_SHARE = 0.8


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"  # still running, past due
    MISSED = "missed"  # stopped after the due moment
    NONE = "none"  # no target


@dataclass(frozen=True, slots=True)
class Clock:
    state: ClockState
    due_at: datetime | None
    # Working minutes left (negative: over by), for a running or paused clock.
    left_minutes: int | None = None


async def targets_for(session: AsyncSession, topic_id: int | None, urgency: str) -> tuple[int, int]:
    rows = (
        await session.scalars(
            select(SlaTarget).where(
                SlaTarget.urgency == urgency,
                (SlaTarget.topic_id == topic_id) | SlaTarget.topic_id.is_(None),
            )
        )
    ).all()
    own = next((r for r in rows if r.topic_id is not None and r.topic_id == topic_id), None)
    row = own or next((r for r in rows if r.topic_id is None), None)
    if row is not None:
        return row.reaction_minutes, row.resolution_minutes
    return DEFAULT_TARGETS[ServiceUrgency(urgency)]


def plan(request: ServiceRequest, calendar: WorkCalendar) -> None:
    """(Re)compute the due moments from filing, the targets and the time paused so far."""
    paused = request.paused_minutes or 0
    if request.reaction_target_min is not None:
        request.reaction_due_at = calendar.add_working_minutes(
            request.created_at, request.reaction_target_min + paused
        )
    if request.resolution_target_min is not None:
        request.resolution_due_at = calendar.add_working_minutes(
            request.created_at, request.resolution_target_min + paused
        )


def pause(request: ServiceRequest, now: datetime) -> None:
    if request.paused_at is None:
        request.paused_at = now


def resume(request: ServiceRequest, calendar: WorkCalendar, now: datetime) -> None:
    """End a pause: its working minutes move the due moments forward."""
    if request.paused_at is None:
        return
    request.paused_minutes = (request.paused_minutes or 0) + calendar.working_minutes(request.paused_at, now)
    request.paused_at = None
    plan(request, calendar)


def mark_response(request: ServiceRequest, now: datetime) -> None:
    if request.first_response_at is None:
        request.first_response_at = now
        due = request.reaction_due_at
        request.reaction_met = None if due is None else now <= due


def mark_resolution(request: ServiceRequest, now: datetime) -> None:
    due = request.resolution_due_at
    request.resolution_met = None if due is None else now <= due


def _clock(
    due: datetime | None,
    stopped_at: datetime | None,
    met: bool | None,
    paused: bool,
    calendar: WorkCalendar,
    now: datetime,
) -> Clock:
    if due is None:
        return Clock(ClockState.NONE, None)
    if stopped_at is not None:
        return Clock(ClockState.MET if met or (met is None and stopped_at <= due) else ClockState.MISSED, due)
    left = calendar.working_minutes(now, due) if now < due else -calendar.working_minutes(due, now)
    if paused:
        return Clock(ClockState.PAUSED, due, left)
    return Clock(ClockState.RUNNING if now <= due else ClockState.BREACHED, due, left)


def reaction_clock(request: ServiceRequest, calendar: WorkCalendar, now: datetime) -> Clock:
    stopped = request.first_response_at or (
        request.cancelled_at if request.status == ServiceStatus.CANCELLED else None
    )
    return _clock(
        request.reaction_due_at, stopped, request.reaction_met, request.paused_at is not None, calendar, now
    )


def resolution_clock(request: ServiceRequest, calendar: WorkCalendar, now: datetime) -> Clock:
    stopped = None
    if request.status in (ServiceStatus.RESOLVED, ServiceStatus.CLOSED):
        stopped = request.resolved_at
    elif request.status == ServiceStatus.CANCELLED:
        stopped = request.cancelled_at
    return _clock(
        request.resolution_due_at,
        stopped,
        request.resolution_met,
        request.paused_at is not None,
        calendar,
        now,
    )


def warn_moment(request: ServiceRequest, calendar: WorkCalendar, kind: str) -> datetime | None:
    """When the warning before a breach of ``kind`` ("reaction" / "resolution") is due."""
    target = request.reaction_target_min if kind == "reaction" else request.resolution_target_min
    if target is None:
        return None
    used = int(target * WARN_SHARE) + (request.paused_minutes or 0)
    return calendar.add_working_minutes(request.created_at, used)
