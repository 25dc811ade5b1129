"""Lists of assignments: "my assignments" and "under my control", with filters and keyset paging.

Keyset pagination on (deadline, id) keeps every page as cheap as the first at a million rows; the
composite indexes (executor_id|controller_id, status, deadline) serve these queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AssignmentMember, AssignmentReport, User
from models.enums import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, MemberRole
from services.assignments import access
from services.textfold import fold

DUE_SOON = timedelta(hours=24)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PAGE_SIZE = 5


class ListFilter(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    DUE_SOON = "soon"
    RETURNED = "returned"
    REVIEW = "review"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Cursor:
    deadline: datetime
    id: int

    def encode(self) -> str:
        """Compact enough for callback data: microseconds since the epoch and the id."""
        micros = (self.deadline - EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        if not raw:
            return None
        try:
            micros, ident = raw.split(".")
            return cls(EPOCH + timedelta(microseconds=int(micros)), int(ident))
        except (ValueError, OverflowError):
            return None


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence[Assignment]
    next_cursor: Cursor | None


def _apply_filter(
    query: Select[tuple[Assignment]], flt: ListFilter, now: datetime
) -> Select[tuple[Assignment]]:
    open_statuses = [s.value for s in OPEN_ASSIGNMENT_STATUSES]
    if flt is ListFilter.OPEN:
        return query.where(Assignment.status.in_(open_statuses))
    if flt is ListFilter.OVERDUE:
        return query.where(Assignment.status.in_(open_statuses), Assignment.deadline < now)
    if flt is ListFilter.DUE_SOON:
        return query.where(
            Assignment.status.in_(open_statuses),
            Assignment.deadline >= now,
            Assignment.deadline < now + DUE_SOON,
        )
    if flt is ListFilter.RETURNED:
        return query.where(Assignment.status == AssignmentStatus.RETURNED)
    if flt is ListFilter.REVIEW:
        return query.where(Assignment.status == AssignmentStatus.ON_REVIEW)
    return query.where(Assignment.status == AssignmentStatus.DONE)


def _after(query: Select[Any], cursor: Cursor | None) -> Select[Any]:
    if cursor is None:
        return query
    return query.where(
        or_(
            Assignment.deadline > cursor.deadline,
            and_(Assignment.deadline == cursor.deadline, Assignment.id > cursor.id),
        )
    )


async def _page(
    session: AsyncSession, query: Select[tuple[Assignment]], cursor: Cursor | None, limit: int
) -> Page:
    query = _after(query, cursor)
    rows = (await session.scalars(query.order_by(Assignment.deadline, Assignment.id).limit(limit + 1))).all()
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, next_cursor=Cursor(items[-1].deadline, items[-1].id) if more else None)


async def my_assignments(
    session: AsyncSession,
    user: User,
    flt: ListFilter = ListFilter.OPEN,
    *,
    now: datetime,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Where the user is the executor or a co-executor.

    Two index-friendly page queries (own work via (executor_id, status, deadline), shared work via
    the members table) are merged, instead of one OR that defeats the indexes at a million rows.
    """

    def page_ids(query: Select[Any]) -> Any:
        query = _after(_apply_filter(query, flt, now), cursor)
        return query.order_by(Assignment.deadline, Assignment.id).limit(limit + 1).subquery()

    own = page_ids(select(Assignment.id).where(Assignment.executor_id == user.id))
    shared = page_ids(
        select(Assignment.id)
        .join(AssignmentMember, AssignmentMember.assignment_id == Assignment.id)
        .where(AssignmentMember.user_id == user.id, AssignmentMember.role == MemberRole.CO_EXECUTOR)
    )
    ids = union(select(own.c.id), select(shared.c.id)).subquery()
    query = select(Assignment).where(Assignment.id.in_(select(ids.c.id)))
    return await _page(session, query, None, limit)


async def under_control(
    session: AsyncSession,
    user: User,
    flt: ListFilter = ListFilter.OPEN,
    *,
    now: datetime,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    query = select(Assignment).where(Assignment.controller_id == user.id)
    if flt not in (ListFilter.REVIEW, ListFilter.RETURNED):
        # The parent of a multi-point assignment stands for its points (services.assignments.points);
        # only the points waiting for a review or reworked are listed one by one.
        query = query.where(Assignment.point_no.is_(None))
    return await _page(session, _apply_filter(query, flt, now), cursor, limit)


CANDIDATES_LIMIT = 20


async def reassign_candidates(
    session: AsyncSession,
    assignment: Assignment,
    user: User,
    *,
    name: str | None = None,
    limit: int = CANDIDATES_LIMIT,
) -> list[User]:
    """Who may take the assignment over from ``user``'s hands: active staff of its department, or
    (given ``name``) anyone whose full name contains every typed word, case- and «ё»-insensitively;
    a department head finds only the department's staff (:class:`access.ReassignScope`). The current
    executor is left out. Matching runs in Python: SQLite's ``lower()`` ignores Cyrillic."""
    scope = await access.reassign_scope(session, assignment, user)
    if not scope.allowed:
        return []
    query = select(User).where(User.is_active.is_(True)).order_by(User.full_name, User.id)
    if assignment.executor_id is not None:
        query = query.where(User.id != assignment.executor_id)
    if scope.department_id is not None:
        query = query.where(User.department_id == scope.department_id)
    if name is None:
        if assignment.department_id is None:
            return []
        return list(
            (
                await session.scalars(
                    query.where(User.department_id == assignment.department_id).limit(limit)
                )
            ).all()
        )
    words = [fold(w) for w in name.split()]
    if not words:
        return []
    found = [u for u in (await session.scalars(query)).all() if all(w in fold(u.full_name) for w in words)]
    return found[:limit]


async def latest_report(
    session: AsyncSession, assignment_id: int, *, status: str | None = None
) -> AssignmentReport | None:
    query = select(AssignmentReport).where(AssignmentReport.assignment_id == assignment_id)
    if status is not None:
        query = query.where(AssignmentReport.status == status)
    return await session.scalar(query.order_by(AssignmentReport.id.desc()).limit(1))
