"""Projects: stage and project status from dates and linked assignments, rights, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AuditEvent, ProjectStage, User
from models.enums import AssignmentStatus as S
from models.enums import ProjectStatus as P
from models.enums import Role
from services import staff
from services.audit import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.projects import commands
from services.projects.progress import all_projects, project_progress
from services.projects.status import StageWork, stage_status

TODAY = date(2026, 11, 23)
RUNNING = {
    "planned_start": date(2026, 11, 1),
    "planned_end": date(2026, 11, 26),
    "actual_start": date(2026, 11, 1),
}
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def stage(**kw: object) -> ProjectStage:
    return ProjectStage(name="s", **kw)


@pytest.mark.parametrize(
    ("fields", "work", "expected"),
    [
        ({"actual_start": date(2026, 11, 1), "actual_end": date(2026, 11, 30)}, StageWork(), P.DONE),
        ({"planned_end": date(2026, 11, 22)}, StageWork(), P.LATE),
        ({"planned_end": TODAY, "planned_start": date(2026, 11, 1), "actual_start": date(2026, 11, 1)},
         StageWork(4, 2, 0), P.ON_TRACK),  # the planned end day itself is not late yet
        ({"planned_end": date(2026, 12, 31)}, StageWork(3, 1, 1), P.AT_RISK),  # an overdue assignment
        ({"planned_start": date(2026, 11, 20), "planned_end": date(2026, 12, 31)}, StageWork(), P.AT_RISK),
        (RUNNING, StageWork(4, 1, 0), P.AT_RISK),  # 3 of 25 days left, a quarter done
        (RUNNING, StageWork(4, 2, 0), P.ON_TRACK),  # half done
        ({"planned_start": date(2026, 12, 1), "planned_end": date(2026, 12, 31)}, StageWork(), P.ON_TRACK),
    ],
)  # fmt: skip
def test_stage_status_rules(fields: dict[str, object], work: StageWork, expected: P) -> None:
    assert stage_status(stage(**fields), work, TODAY) is expected


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User]:
    sys = Actor.system("test")
    return {
        "boss": await staff.create_user(session, sys, full_name="Глава", roles=[Role.MANAGER]),
        "lead": await staff.create_user(
            session, sys, full_name="Руководитель проекта", roles=[Role.EXECUTOR]
        ),
        "other": await staff.create_user(session, sys, full_name="Посторонний", roles=[Role.EXECUTOR]),
    }


async def test_project_progress_status_and_audit(session: AsyncSession, people: dict[str, User]) -> None:
    boss, lead, other = people["boss"], people["lead"], people["other"]
    with pytest.raises(PermissionDenied):
        await commands.create_project(session, lead, name="Благоустройство")
    project = await commands.create_project(
        session, boss, name="Благоустройство парка", manager_id=lead.id, starts_on=date(2026, 10, 1)
    )
    with pytest.raises(InvalidInput):
        await commands.add_stage(
            session, lead, project.id, name="Проект", planned_start=TODAY, planned_end=date(2026, 1, 1)
        )
    design = await commands.add_stage(
        session,
        lead,
        project.id,
        name="Проектирование",
        planned_start=date(2026, 10, 1),
        planned_end=date(2026, 10, 31),
    )
    works = await commands.add_stage(
        session,
        lead,
        project.id,
        name="Работы",
        planned_start=date(2026, 11, 1),
        planned_end=date(2026, 12, 20),
    )
    with pytest.raises(PermissionDenied):
        await commands.add_stage(session, other, project.id, name="Чужой этап")
    await commands.set_stage_dates(
        session, lead, design.id, planned_start=date(2026, 10, 1), planned_end=date(2026, 10, 31),
        actual_start=date(2026, 10, 1), actual_end=date(2026, 10, 30),
    )  # fmt: skip
    await commands.set_stage_dates(
        session, lead, works.id, planned_start=date(2026, 11, 1), planned_end=date(2026, 12, 20),
        actual_start=date(2026, 11, 2), actual_end=None,
    )  # fmt: skip
    rows = [
        Assignment(title="Спил деревьев", status=S.DONE, deadline=datetime(2026, 11, 10, tzinfo=UTC)),
        Assignment(title="Дорожки", status=S.IN_PROGRESS, deadline=datetime(2026, 12, 1, tzinfo=UTC)),
        Assignment(title="Отменённое", status=S.CANCELLED, deadline=datetime(2026, 11, 1, tzinfo=UTC)),
    ]
    session.add_all(rows)
    await session.flush()
    # The project's manager links only work they may see: an unrelated assignment is "not found".
    with pytest.raises(NotFound):
        await commands.link_assignment(session, lead, works.id, rows[0].id)
    rows[0].executor_id = lead.id
    await commands.link_assignment(session, lead, works.id, rows[0].id)
    with pytest.raises(NotFound):
        await commands.unlink_assignment(session, other, rows[0].id)
    for a in rows[1:]:
        await commands.link_assignment(session, boss, works.id, a.id)  # managers see all work

    progress = await project_progress(session, project.id, today=TODAY, now=NOW)
    assert [(s.stage.name, s.status) for s in progress.stages] == [
        ("Проектирование", P.DONE),
        ("Работы", P.ON_TRACK),
    ]
    assert (progress.work.total, progress.work.done, progress.percent) == (
        2,
        1,
        50,
    )  # the cancelled one is left out
    assert progress.status is P.ON_TRACK

    # A linked assignment becomes overdue: the stage and the project are at risk, and it is recorded.
    rows[1].deadline = datetime(2026, 11, 20, tzinfo=UTC)
    await session.flush()
    [progress] = await all_projects(session, today=TODAY, now=NOW)
    assert progress.status is P.AT_RISK and progress.project.status == P.AT_RISK
    # ...and once the works' planned end has passed, late.
    [progress] = await all_projects(session, today=date(2026, 12, 21), now=NOW)
    assert progress.status is P.LATE
    await session.commit()
    actions = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "project").order_by(AuditEvent.id)
        )
    ).all()
    assert actions[:4] == ["create", "stage_add", "stage_add", "stage_dates"]
    assert actions.count("status") == 2 and "stage_status" in actions
