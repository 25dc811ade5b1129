"""Multi-point assignments (резолюции with пункты): a parent and its numbered points.

The parent carries the title, the text, the controller and a deadline (the latest point's, or an
explicit later one); it has no executor. Each point is an ordinary assignment with ``parent_id`` and
``point_no`` 1..n, created by :func:`commands.create` (the same checks, audit and notices), with its
own executor (or department → its head), co-executors and deadline, never later than the parent's.
The parent's state follows the points: see :mod:`services.assignments.parent_state` for the rules.

Lists: an executor's «my assignments» shows the points (each labelled «п. 2 из 3 — <parent>»);
the controller's «under control» shows the parent instead of its points, except the filters «on
review» and «returned», where the points themselves are the work to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, User, utcnow
from models.enums import AssignmentStatus, Priority, Role
from services.assignments import access, commands, parent_state
from services.audit import record
from services.errors import DomainError, InvalidInput, PermissionDenied
from services.notify import NoticeContext

MAX_POINTS = 30


@dataclass(frozen=True, slots=True)
class NewPoint:
    title: str
    deadline: datetime
    text: str = ""
    executor_id: int | None = None
    department_id: int | None = None  # without an executor: the department's head
    co_executor_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class NewParent:
    title: str
    points: Sequence[NewPoint]
    text: str = ""
    controller_id: int | None = None
    deadline: datetime | None = None  # None: the latest point's deadline
    priority: str = Priority.NORMAL
    project_id: int | None = None


class PointProblem(InvalidInput):
    """A point's refusal, naming the point: «Point 2: …»."""


def _point_data(
    parent: NewParent | Assignment, point: NewPoint, no: int, parent_id: int | None
) -> commands.NewAssignment:
    return commands.NewAssignment(
        title=point.title,
        text=point.text,
        deadline=point.deadline,
        executor_id=point.executor_id,
        department_id=None if point.executor_id is not None else point.department_id,
        controller_id=parent.controller_id,
        priority=parent.priority,
        project_id=parent.project_id,
        co_executor_ids=point.co_executor_ids,
        parent_id=parent_id,
        point_no=no,
    )


async def problems(
    session: AsyncSession, data: NewParent, *, now: datetime | None = None
) -> list[DomainError]:
    """Every reason ``data`` cannot be created; a point's refusal carries its number (``point``)."""
    found: list[DomainError] = []
    if not data.points:
        found.append(InvalidInput("Add at least one point.", field="points"))
    if len(data.points) > MAX_POINTS:
        found.append(InvalidInput("At most %(n)d points.", n=MAX_POINTS, field="points"))
    latest = max((p.deadline for p in data.points), default=None)
    if data.deadline is not None and latest is not None and data.deadline < latest:
        found.append(
            InvalidInput("The deadline of a point cannot be later than the assignment's.", field="deadline")
        )
    head = commands.NewAssignment(
        title=data.title, text=data.text, deadline=data.deadline or latest or utcnow(), executor_id=None
    )
    for problem in await commands.problems(session, head, now=now):
        if problem.params.get("field") in ("title", "text", "deadline"):
            found.append(problem)
    for no, point in enumerate(data.points, 1):
        for problem in await commands.problems(session, _point_data(data, point, no, None), now=now):
            params = {**problem.params, "field": f"point{no}:{problem.params.get('field') or 'title'}"}
            found.append(PointProblem(problem.message, **params))
    return found


async def create(
    session: AsyncSession,
    author: User,
    data: NewParent,
    *,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    """The parent and its points; each point's executor gets the card of their point."""
    if not author.has_role(Role.CONTROLLER, Role.MANAGER, Role.CLERK):
        raise PermissionDenied("You are not allowed to create assignments.")
    now = now or utcnow()
    refused = await problems(session, data, now=now)
    if refused:
        raise refused[0]
    deadline = data.deadline or max(p.deadline for p in data.points)
    parent = Assignment(
        title=data.title.strip(),
        text=data.text.strip(),
        priority=Priority(data.priority).value,
        author_id=author.id,
        controller_id=data.controller_id or author.id,
        executor_id=None,
        deadline=deadline,
        project_id=data.project_id,
        status=AssignmentStatus.NEW,
        created_at=now,
        updated_at=now,
    )
    session.add(parent)
    await session.flush()
    record(
        session,
        commands._actor(author),
        "assignment",
        parent.id,
        "created",
        new_state=AssignmentStatus.NEW,
        data={"points": len(data.points), "deadline": deadline.isoformat()},
    )
    for no, point in enumerate(data.points, 1):
        await commands.create(
            session, author, _point_data(parent, point, no, parent.id), now=now, notify=notify
        )
    return parent


async def add_precheck(session: AsyncSession, user: User, parent_id: int) -> Assignment:
    """Only the control adds a point, only to an open parent (not to a point)."""
    parent = await commands.load(session, parent_id)
    if not access.is_control(parent, user):
        raise PermissionDenied("You are not allowed to do this with this assignment.")
    if parent.parent_id is not None:
        raise InvalidInput("A point cannot have points of its own.")
    if AssignmentStatus(parent.status) in parent_state.CLOSED:
        raise InvalidInput("This action is not possible in the assignment's current state.")
    if parent.executor_id is not None and not await parent_state.is_parent(session, parent):
        # An ordinary assignment with its own executor does not turn into a multi-point one.
        raise InvalidInput("Points can be added only to an assignment with points.")
    return parent


async def add_point(
    session: AsyncSession,
    user: User,
    parent_id: int,
    point: NewPoint,
    *,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    """One more point under an open parent; its deadline may not pass the parent's."""
    parent = await add_precheck(session, user, parent_id)
    if point.deadline > parent.deadline:
        raise InvalidInput("The deadline of a point cannot be later than the assignment's.", field="deadline")
    number = (
        await session.scalar(select(func.max(Assignment.point_no)).where(Assignment.parent_id == parent.id))
        or 0
    ) + 1
    # The point is created by the one adding it, who must be allowed to create assignments.
    created = await commands.create(
        session, user, _point_data(parent, point, number, parent.id), now=now, notify=notify
    )
    record(
        session,
        commands._actor(user),
        "assignment",
        parent.id,
        "point_added",
        data={"point_id": created.id, "point_no": number},
    )
    await session.flush()
    return created
