"""A project's progress: per stage the linked work and the derived status; the overview for digests.

Recomputing stores a changed project or stage status (with an audit event, actor "system"), so the
panel list and the digest read the same status the project page shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Project, ProjectStage, User
from models.enums import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, ProjectStatus
from services.audit import Actor, record
from services.projects import access
from services.projects.commands import get_project
from services.projects.status import StageWork, project_status, stage_status

SYSTEM = Actor.system("projects")


@dataclass
class StageProgress:
    stage: ProjectStage
    work: StageWork
    status: ProjectStatus


@dataclass
class ProjectProgress:
    project: Project
    stages: list[StageProgress] = field(default_factory=list)
    status: ProjectStatus = ProjectStatus.ON_TRACK
    work: StageWork = field(default_factory=StageWork)

    @property
    def percent(self) -> int | None:
        share = self.work.share_done
        return None if share is None else round(share * 100)


async def _work_by_stage(
    session: AsyncSession, project_ids: list[int], now: datetime
) -> dict[int, StageWork]:
    if not project_ids:
        return {}
    done = case((Assignment.status == AssignmentStatus.DONE, 1), else_=0)
    overdue = case(
        (Assignment.status.in_(OPEN_ASSIGNMENT_STATUSES) & (Assignment.deadline < now), 1), else_=0
    )
    rows = await session.execute(
        select(Assignment.stage_id, func.count(), func.sum(done), func.sum(overdue))
        .where(
            Assignment.project_id.in_(project_ids),
            Assignment.stage_id.is_not(None),
            Assignment.status != AssignmentStatus.CANCELLED,
        )
        .group_by(Assignment.stage_id)
    )
    return {sid: StageWork(n, int(d or 0), int(o or 0)) for sid, n, d, o in rows}


async def progress_of_many(
    session: AsyncSession, projects: list[Project], *, today: date, now: datetime
) -> list[ProjectProgress]:
    ids = [p.id for p in projects]
    stages: dict[int, list[ProjectStage]] = defaultdict(list)
    if ids:
        for stage in await session.scalars(
            select(ProjectStage)
            .where(ProjectStage.project_id.in_(ids))
            .order_by(ProjectStage.position, ProjectStage.id)
        ):
            stages[stage.project_id].append(stage)
    work = await _work_by_stage(session, ids, now)
    result = []
    for project in projects:
        progress = ProjectProgress(project)
        for stage in stages[project.id]:
            w = work.get(stage.id, StageWork())
            progress.stages.append(StageProgress(stage, w, stage_status(stage, w, today)))
            progress.work.total += w.total
            progress.work.done += w.done
            progress.work.overdue += w.overdue
        progress.status = project_status([s.status for s in progress.stages])
        result.append(progress)
    return result


def store_statuses(session: AsyncSession, progresses: list[ProjectProgress]) -> int:
    """Write derived statuses that changed, each with an audit event. Returns how many changed."""
    changed = 0
    for progress in progresses:
        for sp in progress.stages:
            if sp.stage.status != sp.status:
                record(
                    session, SYSTEM, "project", progress.project.id, "stage_status",
                    old_state=sp.stage.status, new_state=sp.status, data={"stage_id": sp.stage.id},
                )  # fmt: skip
                sp.stage.status = sp.status
                changed += 1
        if progress.project.status != progress.status:
            record(
                session, SYSTEM, "project", progress.project.id, "status",
                old_state=progress.project.status, new_state=progress.status,
            )  # fmt: skip
            progress.project.status = progress.status
            changed += 1
    return changed


async def project_progress(
    session: AsyncSession, project_id: int, *, today: date, now: datetime
) -> ProjectProgress:
    project = await get_project(session, project_id)
    [progress] = await progress_of_many(session, [project], today=today, now=now)
    store_statuses(session, [progress])
    return progress


async def all_projects(
    session: AsyncSession,
    *,
    today: date,
    now: datetime,
    include_done: bool = False,
    viewer: User | None = None,
) -> list[ProjectProgress]:
    """Every project, or (given ``viewer``) those the viewer may see."""
    query = select(Project).order_by(Project.name, Project.id)
    if viewer is not None:
        condition = await access.visible_condition(session, viewer)
        if condition is not None:
            query = query.where(condition)
    if not include_done:
        query = query.where(Project.status != ProjectStatus.DONE)
    projects = list((await session.scalars(query)).all())
    progresses = await progress_of_many(session, projects, today=today, now=now)
    store_statuses(session, progresses)
    return progresses
