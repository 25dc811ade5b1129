"""Assignment KPI for the organisation, a department or an employee over a period.

Definitions (also in README, "KPI"), for a half-open period ``[start, end)`` and a moment ``now``:

- **received**: assignments created in the period; they count for the executor (and department)
  holding them now, so a reassigned assignment counts once, for its new executor;
- **done**: assignments accepted (status ``done``) in the period; **done on time**: of those, the ones
  accepted no later than their deadline (accepted exactly at the deadline is on time);
- **on-time rate**: done on time ÷ done (none when nothing was done);
- **average time to done**: the mean of creation → acceptance over the assignments done in the period;
- **overdue now**: open assignments (not done, cancelled or declined) whose deadline has passed at
  ``now``; a snapshot, independent of the period;
- **returned**: returns for rework in the period (an assignment returned twice counts twice), for the
  executor holding the assignment now;
- **declined**: declines in the period, for the person who declined (and their department), because a
  declined assignment is usually reassigned to someone else;
- **extensions**: extension requests made in the period, and how many of them were approved.

Each figure is one index-friendly aggregate query, grouped when a breakdown is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import FromClause, Select, Table, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from models import Assignment, AuditEvent, ExtensionRequest, User
from models.enums import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, ExtensionStatus

OPEN_STATES = OPEN_ASSIGNMENT_STATUSES


class GroupBy(StrEnum):
    NONE = "none"
    DEPARTMENT = "department"
    EXECUTOR = "executor"


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole organisation (both None), a department, or one employee."""

    department_id: int | None = None
    user_id: int | None = None


ORGANISATION = Scope()


@dataclass
class AssignmentKpi:
    received: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue_now: int = 0
    returned: int = 0
    declined: int = 0
    extensions_requested: int = 0
    extensions_approved: int = 0
    hours_to_done_total: float = field(default=0.0, repr=False)

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.done if self.done else None

    @property
    def avg_hours_to_done(self) -> float | None:
        return self.hours_to_done_total / self.done if self.done else None


def _hours_total(session: AsyncSession, later: Any, earlier: Any) -> ColumnElement[float]:
    """Sum of ``later - earlier`` in hours, over the group (0 when empty).

    PostgreSQL sums the intervals and converts once: ``extract`` returns numeric, and converting every
    row cost more than the rest of the query; the interval sum is exact (microseconds), so the figure
    is the same.
    """
    if session.bind.dialect.name == "sqlite":
        return func.coalesce(func.sum((func.julianday(later) - func.julianday(earlier)) * 24.0), 0.0)
    return func.coalesce(func.extract("epoch", func.sum(later - earlier)) / 3600.0, 0.0)


def _group_column(group: GroupBy) -> ColumnElement[Any]:
    if group is GroupBy.DEPARTMENT:
        return Assignment.department_id
    if group is GroupBy.EXECUTOR:
        return Assignment.executor_id
    return literal(None)


def _scoped(stmt: Select[Any], scope: Scope) -> Select[Any]:
    if scope.department_id is not None:
        stmt = stmt.where(Assignment.department_id == scope.department_id)
    if scope.user_id is not None:
        stmt = stmt.where(Assignment.executor_id == scope.user_id)
    return stmt


async def _grouped(session: AsyncSession, stmt: Select[Any]) -> list[Any]:
    return list((await session.execute(stmt)).all())


async def assignment_kpi_by(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    scope: Scope = ORGANISATION,
    group: GroupBy = GroupBy.NONE,
) -> dict[int | None, AssignmentKpi]:
    """KPI per department or executor (``group``), or one entry under ``None`` for the scope."""
    key = _group_column(group)
    result: dict[int | None, AssignmentKpi] = {}

    def kpi(k: int | None) -> AssignmentKpi:
        return result.setdefault(k, AssignmentKpi())

    received = _scoped(
        select(key, func.count()).where(Assignment.created_at >= start, Assignment.created_at < end), scope
    ).group_by(key)
    for k, n in await _grouped(session, received):
        kpi(k).received = n

    done = _scoped(
        select(
            key,
            func.count(),
            func.count().filter(Assignment.done_at <= Assignment.deadline),
            _hours_total(session, Assignment.done_at, Assignment.created_at),
        ).where(
            Assignment.done_at >= start,
            Assignment.done_at < end,
            Assignment.status == AssignmentStatus.DONE,
        ),
        scope,
    ).group_by(key)
    for k, n, n_on_time, hours in await _grouped(session, done):
        row = kpi(k)
        row.done, row.done_on_time, row.hours_to_done_total = n, int(n_on_time), float(hours)

    overdue = _scoped(
        select(key, func.count()).where(Assignment.status.in_(OPEN_STATES), Assignment.deadline < now), scope
    ).group_by(key)
    for k, n in await _grouped(session, overdue):
        kpi(k).overdue_now = n

    events = AuditEvent.__table__
    returns = (
        events.c.entity_type == "assignment",
        events.c.action == "return",
        events.c.at >= start,
        events.c.at < end,
    )
    returned = _per_assignment(events, "entity_id", returns, lambda t: (func.count(),), scope, group)
    for k, n in await _grouped(session, returned):
        kpi(k).returned = n

    for k, n in await _declines(session, start, end, scope, group):
        kpi(k).declined = n

    requests = ExtensionRequest.__table__
    in_period = (requests.c.created_at >= start, requests.c.created_at < end)
    extensions = _per_assignment(
        requests,
        "assignment_id",
        in_period,
        lambda t: (func.count(), func.count().filter(t.c.status == ExtensionStatus.APPROVED)),
        scope,
        group,
    )
    for k, n, n_approved in await _grouped(session, extensions):
        row = kpi(k)
        row.extensions_requested, row.extensions_approved = n, int(n_approved)

    if group is GroupBy.NONE:
        kpi(None)
    return result


Aggregates = Callable[[FromClause], tuple[ColumnElement[Any], ...]]


def _per_assignment(
    table: Table,
    fk: str,
    where: Iterable[ColumnElement[bool]],
    aggregates: Aggregates,
    scope: Scope,
    group: GroupBy,
) -> Select[Any]:
    """``aggregates`` over ``table``'s rows (returns, extension requests) that point at an assignment
    through column ``fk``, for the department / executor holding the assignment *now*.

    - the organisation's totals need no assignment at all: counted on the rows' own index;
    - a breakdown looks each row's assignment up by primary key (a correlated subquery, answered by
      ``ix_assignments_id_cover`` alone): work in proportion to the period's rows, where a join let
      PostgreSQL pick a hash join over the whole assignments table;
    - a department's or an employee's figures join to their assignments, found by index.
    """
    if group is GroupBy.NONE and scope == ORGANISATION:
        return select(literal(None), *aggregates(table)).where(*where)
    if scope == ORGANISATION:
        current = select(_group_column(group)).where(Assignment.id == table.c[fk]).scalar_subquery()
        rows = select(current.label("key"), *table.c).where(*where).subquery()
        return select(rows.c.key, *aggregates(rows)).group_by(rows.c.key)
    key = _group_column(group)
    stmt = select(key, *aggregates(table)).select_from(table).join(Assignment, Assignment.id == table.c[fk])
    return _scoped(stmt.where(*where), scope).group_by(key)


async def _declines(
    session: AsyncSession, start: datetime, end: datetime, scope: Scope, group: GroupBy
) -> Iterable[tuple[int | None, int]]:
    """Declines count for whoever declined (the assignment has usually moved on since)."""
    key: ColumnElement[Any]
    if group is GroupBy.DEPARTMENT:
        key = User.department_id
    elif group is GroupBy.EXECUTOR:
        key = AuditEvent.actor_user_id
    else:
        key = literal(None)
    stmt = (
        select(key, func.count())
        .select_from(AuditEvent)
        .join(User, User.id == AuditEvent.actor_user_id)
        .where(
            AuditEvent.entity_type == "assignment",
            AuditEvent.action == "decline",
            AuditEvent.at >= start,
            AuditEvent.at < end,
        )
    )
    if scope.department_id is not None:
        stmt = stmt.where(User.department_id == scope.department_id)
    if scope.user_id is not None:
        stmt = stmt.where(AuditEvent.actor_user_id == scope.user_id)
    return await _grouped(session, stmt.group_by(key))


async def assignment_kpi(
    session: AsyncSession, start: datetime, end: datetime, *, now: datetime, scope: Scope = ORGANISATION
) -> AssignmentKpi:
    return (await assignment_kpi_by(session, start, end, now=now, scope=scope))[None]


def combine(rows: Iterable[AssignmentKpi]) -> AssignmentKpi:
    """Sum of several groups (e.g. a department's employees)."""
    total = AssignmentKpi()
    for row in rows:
        for name in (
            "received",
            "done",
            "done_on_time",
            "overdue_now",
            "returned",
            "declined",
            "extensions_requested",
            "extensions_approved",
            "hours_to_done_total",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total
