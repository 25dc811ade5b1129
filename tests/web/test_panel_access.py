"""Who sees and changes what in the panel, tried as an insider would: another manager's project,
linking work one cannot see, a department head handing work out of the department; downloads of
personal data left in the browser's cache; a burst of parallel public forms."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Assignment, User
from porucheno.settings import Settings
from services.assignments import queries
from services.audit import Actor
from services.projects import commands as projects
from services.staff import create_user, set_department_head
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_token, login, make_user
from tests.web.test_assignments_http import (
    PASSWORD,
    attach_pdf,
    client_for,
    make_world,
    new_assignment,
    page_text,
)
from tests.web.test_public_form_http import appeal_form, count, make_topics

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_projects_follow_the_visibility_of_assignments(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    await make_user(session_factory, "boss", PASSWORD, ["manager"], full_name="Глава Администрации")
    await make_user(session_factory, "worker", PASSWORD, ["executor"], full_name="Рядовой Сотрудник")
    mine = await new_assignment(session_factory, world, "Покраска забора", executor_id=world.ivan.id, days=3)
    foreign = await new_assignment(
        session_factory, world, "Ремонт школьной крыши", executor_id=world.oleg.id, days=3
    )
    async with session_factory() as s:
        boss = await s.scalar(select(User).where(User.login == "boss"))
        assert boss is not None
        park = await projects.create_project(s, boss, name="Благоустройство парка", manager_id=world.ivan.id)
        school = await projects.create_project(s, boss, name="Капремонт школы", manager_id=world.oleg.id)
        stage = await projects.add_stage(s, boss, park.id, name="Работы")
        await s.commit()
        park_id, school_id, stage_id = park.id, school.id, stage.id

    ivan = await client_for(app_factory, "ivan")
    try:
        listing = await page_text(ivan, "/projects")
        assert "Благоустройство парка" in listing and "Капремонт школы" not in listing
        exported = await ivan.get("/projects/export.csv")
        text = (await exported.read()).decode("utf-8-sig")
        assert "Благоустройство парка" in text and "Капремонт школы" not in text
        assert (await ivan.get(f"/projects/{school_id}")).status == 404
        token = await csrf_token(ivan, f"/projects/{park_id}")
        forged = {"action": "add_stage", "name": "Чужой этап", "csrf_token": token}
        assert (await ivan.post(f"/projects/{school_id}/act", data=forged)).status == 404

        link = {"action": "link", "stage_id": str(stage_id), "csrf_token": token}
        page = await (
            await ivan.post(f"/projects/{park_id}/act", data={**link, "assignment_id": str(foreign)})
        ).text()
        assert "Поручение не найдено." in page  # someone else's work: as if it did not exist
        page = await (
            await ivan.post(f"/projects/{park_id}/act", data={**link, "assignment_id": str(mine)})
        ).text()
        assert "Сохранено." in page and "Покраска забора" in page
    finally:
        await ivan.close()

    async with session_factory() as s:
        assert (await s.get(Assignment, foreign)).project_id is None  # type: ignore[union-attr]
        boss = await s.scalar(select(User).where(User.login == "boss"))
        await projects.link_assignment(s, boss, stage_id, foreign)  # type: ignore[arg-type]
        await s.commit()
    ivan = await client_for(app_factory, "ivan")
    try:
        page = await page_text(ivan, f"/projects/{park_id}")
        assert "Покраска забора" in page and "Ремонт школьной крыши" not in page  # linked, but not his
        token = await csrf_token(ivan, f"/projects/{park_id}")
        unlink = {"action": "unlink", "assignment_id": str(foreign), "csrf_token": token}
        assert (
            "Поручение не найдено." in await (await ivan.post(f"/projects/{park_id}/act", data=unlink)).text()
        )
    finally:
        await ivan.close()

    worker = await client_for(app_factory, "worker")
    try:
        assert (await worker.get("/projects")).status == 403
        assert (await worker.get(f"/projects/{park_id}")).status == 404
    finally:
        await worker.close()
    boss_client = await client_for(app_factory, "boss")
    try:
        listing = await page_text(boss_client, "/projects")
        assert "Благоустройство парка" in listing and "Капремонт школы" in listing
    finally:
        await boss_client.close()


async def test_a_department_head_reassigns_only_within_the_department(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    async with session_factory() as s:
        actor = Actor.system("test")
        head = await create_user(
            s,
            actor,
            full_name="Нина Начальникова",
            department_id=world.housing_id,
            login="head",
            password=PASSWORD,
        )
        petr = await create_user(s, actor, full_name="Пётр Дворников", department_id=world.housing_id)
        await set_department_head(s, actor, world.housing_id, head.id)
        await s.commit()
        petr_id = petr.id
    aid = await new_assignment(
        session_factory, world, "Очистить крышу от снега", executor_id=world.ivan.id, days=3
    )

    client = await client_for(app_factory, "head")
    try:
        page = await page_text(client, f"/assignments/{aid}")
        assert 'id="action-reassign"' in page
        assert "Пётр Дворников" in page and "Олег Сидоров" not in page  # only the department is offered
        token = await csrf_token(client, f"/assignments/{aid}")
        act = {"action": "reassign", "expected_status": "new", "csrf_token": token}
        page = await (
            await client.post(f"/assignments/{aid}/act", data={**act, "executor_id": str(world.oleg.id)})
        ).text()
        assert (
            "Руководитель подразделения может передать поручение только сотруднику своего подразделения."
            in page
        )
        async with session_factory() as s:
            assert (await s.get(Assignment, aid)).executor_id == world.ivan.id  # type: ignore[union-attr]
        page = await (
            await client.post(f"/assignments/{aid}/act", data={**act, "executor_id": str(petr_id)})
        ).text()
        assert "Поручение передано другому исполнителю." in page
    finally:
        await client.close()

    async with session_factory() as s:
        a = await s.get(Assignment, aid)
        assert a is not None and a.executor_id == petr_id
        head_user, control = await s.get(User, head.id), await s.get(User, world.control.id)
        assert head_user is not None and control is not None
        # The bot's search for a new executor follows the same rule.
        assert await queries.reassign_candidates(s, a, head_user, name="Олег") == []
        assert [u.full_name for u in await queries.reassign_candidates(s, a, control, name="Олег")] == [
            "Олег Сидоров"
        ]


async def test_personal_data_downloads_are_never_cached(
    client: TestClient,
    admin: User,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await make_world(session_factory)
    aid = await new_assignment(session_factory, world, "Проверить жалобу", executor_id=world.ivan.id, days=3)
    doc_id = await attach_pdf(session_factory, settings, aid, b"%PDF-1.4\n%x\n", "Жалоба.pdf")
    await login(client)
    paths = [
        f"/{name}/export.{fmt}"
        for name in ("staff", "departments", "appeals", "correspondents", "assignments", "projects")
        for fmt in ("csv", "xlsx")
    ]
    for path in [*paths, "/analytics/kpi.csv", "/analytics/kpi.xlsx", f"/files/{doc_id}"]:
        response = await client.get(path)
        assert response.status == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


async def test_parallel_public_forms_do_not_slip_past_the_limit(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    topics = await make_topics(session_factory)
    token = await csrf_token(client, "/form")
    responses = await asyncio.gather(
        *(
            client.post(
                "/form",
                data=appeal_form(token, topics.lighting, text=f"Не горит фонарь №{i}"),
                allow_redirects=False,
            )
            for i in range(20)
        )
    )
    statuses = sorted(r.status for r in responses)
    assert statuses.count(303) == 5 and statuses.count(429) == 15
    assert await count(session_factory, Appeal) == 5
