"""The web panel's assignment list: visibility in SQL, filters, keyset pagination on (deadline, id) —
or on (created_at, id) when sorted by creation, either way ascending or descending.

Each page is a UNION ALL of one branch per wanted status, each ``ORDER BY deadline, id LIMIT n+1``:
every branch walks one of the composite indexes (status | executor_id, status | department_id,
status | controller_id, status) in deadline order, so a page costs the same at a million rows
whether it is the first or the thousandth, and no branch ever sorts the table. For staff who see
only their own work, each status branch is split further by visibility arm (executor, controller,
author, member, headed department) so that each arm uses its own index too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, union, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AssignmentMember, Department, User, UserRole
from models.enums import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, Role
from services.assignments import access
from services.assignments.queries import Cursor
from services.staff import people_by_name
from services.text_search import contains, plan_with_values

PAGE_SIZE = 25
# Keyset pages need a datetime sort value next to the id (see ``Cursor``): these columns have one.
SORT_KEYS = {"deadline": Assignment.deadline, "created": Assignment.created_at}
ALL_STATUSES = tuple(s.value for s in AssignmentStatus)
OPEN_STATUSES = tuple(s.value for s in OPEN_ASSIGNMENT_STATUSES)


def sees_all(user: User) -> bool:
    """Managers and clerks (and administrators) see every assignment in the panel."""
    return user.has_role(Role.MANAGER, Role.CLERK)


async def can_see(session: AsyncSession, assignment: Assignment, user: User) -> bool:
    return sees_all(user) or await access.can_view(session, assignment, user)


# One way of being allowed to see a row, applied to a branch query.
Arm = Callable[[Select[tuple[int, datetime]]], Select[tuple[int, datetime]]]


async def visibility_arms(session: AsyncSession, user: User) -> list[Arm] | None:
    """The SQL form of :func:`access.can_view` as separate arms (None: no restriction).

    One OR over all of them would make PostgreSQL filter a whole status range row by row; as
    separate branches each arm walks its own index and only the user's rows are read.
    """
    if sees_all(user):
        return None
    uid = user.id
    arms: list[Arm] = [
        lambda q: q.where(Assignment.executor_id == uid),
        lambda q: q.where(Assignment.controller_id == uid),
        lambda q: q.where(Assignment.author_id == uid),
        lambda q: q.join(
            AssignmentMember,
            and_(AssignmentMember.assignment_id == Assignment.id, AssignmentMember.user_id == uid),
        ),
    ]
    headed = (await session.scalars(select(Department.id).where(Department.head_id == uid))).all()
    if headed:
        arms.append(lambda q: q.where(Assignment.department_id.in_(headed)))
    return arms


def is_overdue(assignment: Assignment, now: datetime) -> bool:
    return assignment.status in OPEN_STATUSES and assignment.deadline < now


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the list shows. ``status``: "open", "overdue", "all" or one status code."""

    status: str = "open"
    department_id: int | None = None
    executor_id: int | None = None
    controller_id: int | None = None
    priority: str | None = None
    deadline_from: datetime | None = None  # UTC, inclusive
    deadline_before: datetime | None = None  # UTC, exclusive
    text: str | None = None
    control_id: int | None = None  # author or controller: the assignments this user controls
    due_before: datetime | None = None  # not overdue yet, deadline before this moment (UTC)
    created_from: datetime | None = None  # UTC, inclusive (the KPI's "received" in a period)
    created_before: datetime | None = None
    done_from: datetime | None = None  # UTC, inclusive (the KPI's "done" in a period)
    done_before: datetime | None = None
    sort: str = "deadline"  # one of SORT_KEYS
    desc: bool = False
    no_department: bool = False  # only assignments without a department
    no_executor: bool = False  # only assignments without an executor

    def statuses(self) -> tuple[str, ...]:
        if self.status in ("open", "overdue"):
            return OPEN_STATUSES
        if self.status in ALL_STATUSES:
            return (self.status,)
        return ALL_STATUSES


@dataclass(frozen=True, slots=True)
class ListPage:
    items: Sequence[Assignment]
    next_cursor: Cursor | None  # "Next": rows after the last one shown
    prev_cursor: Cursor | None  # "Back": rows before the first one shown


def _conditions(session: AsyncSession, q: ListQuery, now: datetime) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.status == "overdue":
        conds.append(Assignment.deadline < now)
    if q.department_id is not None:
        conds.append(Assignment.department_id == q.department_id)
    if q.executor_id is not None:
        conds.append(Assignment.executor_id == q.executor_id)
    if q.controller_id is not None:
        conds.append(Assignment.controller_id == q.controller_id)
    if q.priority:
        conds.append(Assignment.priority == q.priority)
    if q.deadline_from is not None:
        conds.append(Assignment.deadline >= q.deadline_from)
    if q.deadline_before is not None:
        conds.append(Assignment.deadline < q.deadline_before)
    if q.text:
        conds.append(contains(session, Assignment.title, q.text))
    if q.no_department:
        conds.append(Assignment.department_id.is_(None))
    if q.no_executor:
        conds.append(Assignment.executor_id.is_(None))
    if q.control_id is not None:
        conds.append(or_(Assignment.controller_id == q.control_id, Assignment.author_id == q.control_id))
    if q.due_before is not None:
        conds += [Assignment.deadline >= now, Assignment.deadline < q.due_before]
    for column, start, end in (
        (Assignment.created_at, q.created_from, q.created_before),
        (Assignment.done_at, q.done_from, q.done_before),
    ):
        if start is not None:
            conds.append(column >= start)
        if end is not None:
            conds.append(column < end)
    return conds


def _keyset(column: Any, cursor: Cursor, descending: bool) -> ColumnElement[bool]:
    # The plain range on the sort column lets the index bound the scan; the OR only breaks ties.
    # ``cursor.deadline`` holds the sort column's value (the deadline unless sorted otherwise).
    if descending:
        return and_(column <= cursor.deadline, or_(column < cursor.deadline, Assignment.id < cursor.id))
    return and_(column >= cursor.deadline, or_(column > cursor.deadline, Assignment.id > cursor.id))


@dataclass(frozen=True, slots=True)
class _Plan:
    statuses: tuple[str, ...]
    conds: list[ColumnElement[bool]]
    arms: list[Arm] | None
    column: Any = Assignment.deadline  # the sort column
    desc: bool = False
    # A title search is one branch for all the statuses: a rare fragment reads the trigram index
    # once (a branch per status would read it once each), a common one walks the list's order and
    # stops at a page: over every status by (deadline, id), over the open ones by the partial
    # indexes on them (``models.assignments``).
    text: bool = False


def _status_clause(statuses: tuple[str, ...]) -> list[ColumnElement[bool]]:
    if set(statuses) >= set(ALL_STATUSES):
        return []  # every status: a condition on it only misleads the planner's estimates
    if len(statuses) == 1:
        return [Assignment.status == statuses[0]]
    return [Assignment.status.in_(statuses)]


def _branch(
    plan: _Plan, statuses: tuple[str, ...], arm: Arm | None, cursor: Cursor | None, backward: bool, limit: int
) -> Select[tuple[int, datetime]]:
    query = select(Assignment.id, plan.column.label("deadline")).where(*_status_clause(statuses), *plan.conds)
    if arm is not None:
        query = arm(query)
    descending = backward != plan.desc  # walking back through a descending list goes up
    if cursor is not None:
        query = query.where(_keyset(plan.column, cursor, descending))
    if descending:
        return query.order_by(plan.column.desc(), Assignment.id.desc()).limit(limit)
    return query.order_by(plan.column, Assignment.id).limit(limit)


async def _ids(
    session: AsyncSession, plan: _Plan, cursor: Cursor | None, *, backward: bool, limit: int
) -> list[tuple[int, datetime]]:
    """Up to ``limit`` (id, deadline) pairs next to ``cursor``, nearest first."""
    arms: list[Arm | None] = list(plan.arms) if plan.arms is not None else [None]
    # Without a title search, a branch per status walks its (status, deadline) index in order.
    groups = [plan.statuses] if plan.text else [(s,) for s in plan.statuses]
    branches = [_branch(plan, g, arm, cursor, backward, limit).subquery() for g in groups for arm in arms]
    if len(branches) == 1:
        merged = branches[0]
    else:
        parts = [select(b.c.id, b.c.deadline) for b in branches]
        # A row reachable through two arms (executor and controller at once) is listed once.
        merged = (union(*parts) if len(arms) > 1 else union_all(*parts)).subquery()
    descending = backward != plan.desc
    order = (merged.c.deadline.desc(), merged.c.id.desc()) if descending else (merged.c.deadline, merged.c.id)
    rows = await session.execute(select(merged.c.id, merged.c.deadline).order_by(*order).limit(limit))
    return [(row.id, row.deadline) for row in rows]


async def _plan(session: AsyncSession, user: User, q: ListQuery, now: datetime) -> _Plan:
    column = SORT_KEYS.get(q.sort, Assignment.deadline)
    if q.text:
        await plan_with_values(session)
    return _Plan(
        q.statuses(),
        _conditions(session, q, now),
        await visibility_arms(session, user),
        column,
        q.desc,
        bool(q.text),
    )


async def count(session: AsyncSession, user: User, q: ListQuery, *, now: datetime) -> int:
    """How many rows the list shows for ``q`` (same conditions, same visibility), e.g. for the home page."""
    plan = await _plan(session, user, q, now)
    arms: list[Arm | None] = list(plan.arms) if plan.arms is not None else [None]
    branches = []
    for arm in arms:
        branch = select(Assignment.id).where(*_status_clause(plan.statuses), *plan.conds)
        branches.append(arm(branch) if arm is not None else branch)  # type: ignore[arg-type]
    ids = (union(*branches) if len(branches) > 1 else branches[0]).subquery()
    return await session.scalar(select(func.count()).select_from(ids)) or 0


async def list_page(
    session: AsyncSession,
    user: User,
    q: ListQuery,
    *,
    now: datetime,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> ListPage:
    """One page in the query's order: the first, the one ``after`` a cursor, or the one ``before`` it."""
    plan = await _plan(session, user, q, now)
    backward = before is not None and after is None
    rows = await _ids(session, plan, before if backward else after, backward=backward, limit=limit + 1)
    if backward and not rows:  # the cursor row is gone: start over
        return await list_page(session, user, q, now=now, limit=limit)
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    first = Cursor(rows[0][1], rows[0][0]) if rows else None
    last = Cursor(rows[-1][1], rows[-1][0]) if rows else None
    if backward:
        has_prev = more
        has_next = last is not None and bool(await _ids(session, plan, last, backward=False, limit=1))
    else:
        has_next = more
        has_prev = (
            after is not None
            and first is not None
            and bool(await _ids(session, plan, first, backward=True, limit=1))
        )
    ids = [ident for ident, _deadline in rows]
    loaded = {
        a.id: a for a in (await session.scalars(select(Assignment).where(Assignment.id.in_(ids)))).all()
    }
    return ListPage(
        items=[loaded[i] for i in ids if i in loaded],
        next_cursor=last if has_next else None,
        prev_cursor=first if has_prev else None,
    )


async def user_names(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {row.id: row.full_name for row in rows}


async def department_names(session: AsyncSession) -> dict[int, str]:
    rows = await session.execute(select(Department.id, Department.name))
    return {row.id: row.name for row in rows}


@dataclass(frozen=True, slots=True)
class StaffOption:
    id: int
    full_name: str
    department_id: int | None
    is_active: bool


async def staff_options(session: AsyncSession, *, roles: tuple[Role, ...] = ()) -> list[StaffOption]:
    """Staff for the pickers, by name; ``roles`` keeps only holders of one of them (or admins)."""
    query = select(User.id, User.full_name, User.department_id, User.is_active)
    if roles:
        holders = select(UserRole.user_id).where(UserRole.role.in_([r.value for r in (*roles, Role.ADMIN)]))
        query = query.where(User.id.in_(holders))
    rows = await session.execute(query)
    return people_by_name(StaffOption(r.id, r.full_name, r.department_id, r.is_active) for r in rows)
