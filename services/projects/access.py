"""Who sees which project: the same rule as for assignments (services/assignments/access.py).

Managers, clerks and administrators see every project, like every assignment. Anyone else sees the
projects they manage, those of a department they head, and those holding work they may see
(author, controller, executor, attached, or their department's). Lists, pages, exports and linking
all use this one rule.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Department, Project, User
from services.assignments import access as assignment_access
from services.assignments.panel import sees_all, visibility_arms
from services.errors import NotFound


async def visible_condition(session: AsyncSession, user: User) -> ColumnElement[bool] | None:
    """The SQL form of :func:`can_view` over ``Project`` (None: every project)."""
    if sees_all(user):
        return None
    arms = await visibility_arms(session, user) or []
    linked = union(
        *(arm(select(Assignment.project_id).where(Assignment.project_id.is_not(None))) for arm in arms)  # type: ignore[arg-type]
    ).subquery()
    headed = select(Department.id).where(Department.head_id == user.id)
    return or_(
        Project.manager_id == user.id,
        Project.department_id.in_(headed),
        Project.id.in_(select(linked.c.project_id)),
    )


async def can_view(session: AsyncSession, project: Project, user: User) -> bool:
    condition = await visible_condition(session, user)
    if condition is None:
        return True
    return await session.scalar(select(Project.id).where(Project.id == project.id, condition)) is not None


async def visible_project(session: AsyncSession, project_id: int, user: User) -> Project:
    """The project if the user may see it; otherwise NotFound, as if it did not exist."""
    project = await session.get(Project, project_id)
    if project is None or not await can_view(session, project, user):
        raise NotFound("Project not found.")
    return project


async def visible_assignment(session: AsyncSession, assignment_id: int, user: User) -> Assignment:
    """An assignment to link or unlink: only one the user may see (else NotFound: ids are guessable)."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or not await assignment_access.can_view(session, assignment, user):
        raise NotFound("Assignment not found.")
    return assignment
