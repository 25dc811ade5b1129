"""Creating and changing projects and stages, and linking assignments to stages; each change audited.

Managers and administrators manage every project; a project's own manager manages theirs. Only
work the user may see can be linked or unlinked (services/projects/access.py).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Project, ProjectStage, User
from models.enums import Role
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.projects import access

NAME_LIMIT = 255


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, label=user.full_name)


def can_manage(user: User, project: Project | None = None) -> bool:
    return user.has_role(Role.MANAGER) or (project is not None and project.manager_id == user.id)


def _name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput("Enter a name.")
    if len(value) > NAME_LIMIT:
        raise InvalidInput("The name is too long: at most %(n)d characters.", n=NAME_LIMIT)
    return value


def _dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput("The end date cannot be earlier than the start date.")


async def get_project(session: AsyncSession, project_id: int) -> Project:
    project = await session.get(Project, project_id)
    if project is None:
        raise NotFound("Project not found.")
    return project


async def get_stage(session: AsyncSession, stage_id: int) -> ProjectStage:
    stage = await session.get(ProjectStage, stage_id)
    if stage is None:
        raise NotFound("Stage not found.")
    return stage


async def create_project(
    session: AsyncSession,
    user: User,
    *,
    name: str,
    description: str = "",
    manager_id: int | None = None,
    department_id: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Project:
    if not can_manage(user):
        raise PermissionDenied("Only managers can create projects.")
    _dates(starts_on, ends_on)
    if manager_id is not None and await session.get(User, manager_id) is None:
        raise NotFound("User not found.")
    project = Project(
        name=_name(name),
        description=(description or "").strip(),
        manager_id=manager_id or user.id,
        department_id=department_id,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(project)
    await session.flush()
    record(
        session,
        _actor(user),
        "project",
        project.id,
        "create",
        new_state=project.status,
        data={"name": project.name},
    )
    return project


async def add_stage(
    session: AsyncSession,
    user: User,
    project_id: int,
    *,
    name: str,
    planned_start: date | None = None,
    planned_end: date | None = None,
) -> ProjectStage:
    project = await get_project(session, project_id)
    if not can_manage(user, project):
        raise PermissionDenied("You are not allowed to change this project.")
    _dates(planned_start, planned_end)
    position = await session.scalar(
        select(func.coalesce(func.max(ProjectStage.position), 0)).where(ProjectStage.project_id == project.id)
    )
    stage = ProjectStage(
        project_id=project.id,
        position=(position or 0) + 1,
        name=_name(name),
        planned_start=planned_start,
        planned_end=planned_end,
    )
    session.add(stage)
    await session.flush()
    record(
        session,
        _actor(user),
        "project",
        project.id,
        "stage_add",
        data={
            "stage_id": stage.id,
            "name": stage.name,
            "planned_start": _iso(planned_start),
            "planned_end": _iso(planned_end),
        },
    )
    return stage


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


async def set_stage_dates(
    session: AsyncSession,
    user: User,
    stage_id: int,
    *,
    planned_start: date | None,
    planned_end: date | None,
    actual_start: date | None,
    actual_end: date | None,
) -> ProjectStage:
    stage = await get_stage(session, stage_id)
    project = await get_project(session, stage.project_id)
    if not can_manage(user, project):
        raise PermissionDenied("You are not allowed to change this project.")
    _dates(planned_start, planned_end)
    _dates(actual_start, actual_end)
    if actual_end is not None and actual_start is None:
        raise InvalidInput("A stage cannot end before it has started: enter the actual start too.")
    before = {
        "planned_start": _iso(stage.planned_start),
        "planned_end": _iso(stage.planned_end),
        "actual_start": _iso(stage.actual_start),
        "actual_end": _iso(stage.actual_end),
    }
    stage.planned_start, stage.planned_end = planned_start, planned_end
    stage.actual_start, stage.actual_end = actual_start, actual_end
    after = {k: _iso(getattr(stage, k)) for k in before}
    if after != before:
        record(
            session,
            _actor(user),
            "project",
            project.id,
            "stage_dates",
            data={"stage_id": stage.id, "old": before, "new": after},
        )
    return stage


async def link_assignment(session: AsyncSession, user: User, stage_id: int, assignment_id: int) -> Assignment:
    stage = await get_stage(session, stage_id)
    project = await get_project(session, stage.project_id)
    if not can_manage(user, project):
        raise PermissionDenied("You are not allowed to change this project.")
    assignment = await access.visible_assignment(session, assignment_id, user)
    old_stage = assignment.stage_id
    assignment.project_id, assignment.stage_id = project.id, stage.id
    record(
        session,
        _actor(user),
        "assignment",
        assignment.id,
        "link_stage",
        data={"project_id": project.id, "stage_id": stage.id, "old_stage_id": old_stage},
    )
    return assignment


async def unlink_assignment(session: AsyncSession, user: User, assignment_id: int) -> Assignment:
    assignment = await access.visible_assignment(session, assignment_id, user)
    if assignment.project_id is None:
        raise NotFound("Assignment not found.")
    project = await get_project(session, assignment.project_id)
    if not can_manage(user, project):
        raise PermissionDenied("You are not allowed to change this project.")
    old = {"project_id": assignment.project_id, "stage_id": assignment.stage_id}
    assignment.project_id = assignment.stage_id = None
    record(session, _actor(user), "assignment", assignment.id, "unlink_stage", data=old)
    return assignment
