"""The panel's recurring assignments and templates over HTTP: forms, refusals, preview, runs, rights."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    AnswerTemplate,
    Assignment,
    AssignmentTemplate,
    ChecklistItem,
    RecurringAssignment,
    ServiceTopic,
    utcnow,
)
from services.audit import Actor
from services.notify import NoticeContext
from services.recurring import runner
from services.staff import create_department, create_user
from services.work_calendar.clock import WorkCalendar
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_token, login

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

PASSWORD = "correct-horse-battery"
MOSCOW = ZoneInfo("Europe/Moscow")


async def _world(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    sys = Actor.system("test")
    async with session_factory() as s:
        dept = await create_department(s, sys, "Бухгалтерия")
        control = await create_user(
            s, sys, full_name="Мария Контролёва", roles=["controller"], login="control", password=PASSWORD
        )
        manager = await create_user(
            s, sys, full_name="Павел Руководов", roles=["manager"], login="manager", password=PASSWORD
        )
        worker = await create_user(
            s, sys, full_name="Иван Петров", department_id=dept.id, login="worker", password=PASSWORD
        )
        topic = ServiceTopic(code="printers", name_ru="Принтеры", name_en="Printers")
        s.add(topic)
        await s.commit()
        return {"control": control.id, "manager": manager.id, "worker": worker.id, "topic": topic.id}


async def client_for(app_factory: AppFactory, who: str) -> TestClient:
    client = TestClient(TestServer(app_factory(), host="127.0.0.1"))
    await client.start_server()
    await login(client, who, PASSWORD)
    return client


async def test_recurring_pages(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _world(session_factory)
    control = await client_for(app_factory, "control")
    try:
        page = await (await control.get("/recurring")).text()
        assert "Повторяющиеся поручения" in page and 'id="new-recurring"' in page
        token = await csrf_token(control, "/recurring/new")
        # The start date offered is today where the administration is (Moscow), not in UTC.
        blank = await (await control.get("/recurring/new")).text()
        offered = re.search(r'<input[^>]*name="starts_on"[^>]*>', blank)
        assert offered is not None
        local_today = utcnow().astimezone(ZoneInfo("Europe/Moscow")).date().isoformat()
        assert f'value="{local_today}"' in offered.group(0), offered.group(0)
        form = {
            "csrf_token": token,
            "title": "Сдать табель",
            "text": "До обеда",
            "checklist": "Проверить\nПодписать",
            "checklist_required": "1",
            "executor_id": str(ids["worker"]),
            "preset": "monthly",
            "day": "9",
            "weekday": "MO",
            "starts_on": "2026-01-01",
            "create_at": "09:00",
            "term_days": "2",
            "term_working": "1",
            "holiday_policy": "previous",
        }
        # Refused: day 40 of a month; the form comes back with the message next to the field.
        response = await control.post("/recurring/new", data={**form, "day": "40"}, allow_redirects=False)
        assert response.status == 400
        assert "День месяца — от 1 до 31." in await response.text()
        # The preview button shows the dates without saving.
        response = await control.post("/recurring/new", data={**form, "preview": "1"}, allow_redirects=False)
        text = await response.text()
        assert response.status == 200 and "ежемесячно, 9-го числа" in text
        async with session_factory() as s:
            assert (await s.scalars(select(RecurringAssignment))).all() == []
        response = await control.post("/recurring/new", data=form, allow_redirects=False)
        assert response.status == 303, await response.text()
        async with session_factory() as s:
            rule = await s.scalar(select(RecurringAssignment))
            assert rule is not None and rule.rrule == "FREQ=MONTHLY;BYMONTHDAY=9"
            assert rule.checklist == ["Проверить", "Подписать"] and rule.author_id == ids["control"]
            rule.created_at = datetime(2025, 12, 1, tzinfo=MOSCOW)
            await s.commit()
            rule_id = rule.id
        async with session_factory() as s:
            made = await runner.run_due(
                s, NoticeContext(tz=MOSCOW), datetime(2025, 12, 30, 10, tzinfo=MOSCOW)
            )
        assert len(made.created) == 1
        page = await (await control.get(f"/recurring/{rule_id}")).text()
        assert "09.01.2026" in page and "30.12.2025" in page  # the run: by the rule, and when created
        assert f"№{made.created[0]}" in page
        # Pause and resume.
        token = await csrf_token(control, f"/recurring/{rule_id}")
        response = await control.post(
            f"/recurring/{rule_id}/active", data={"active": "0", "csrf_token": token}, allow_redirects=False
        )
        assert response.status == 303
        page = await (await control.get(f"/recurring/{rule_id}")).text()
        assert "Приостановлено." in page and "Возобновить" in page
        listing = await (await control.get("/recurring")).text()
        assert "ежемесячно, 9-го числа" in listing and "В выходной: в предыдущий рабочий день" in listing
    finally:
        await control.close()
    worker = await client_for(app_factory, "worker")
    try:
        assert (await worker.get("/recurring")).status == 403
    finally:
        await worker.close()


async def test_assignment_templates_and_new_form(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _world(session_factory)
    control = await client_for(app_factory, "control")
    try:
        token = await csrf_token(control, "/assignment-templates/new")
        response = await control.post(
            "/assignment-templates/new",
            data={
                "csrf_token": token,
                "name": "Отчёт",
                "title": "Квартальный отчёт",
                "checklist": "Собрать\nОтправить",
                "executor_id": str(ids["worker"]),
                "term_days": "3",
                "term_working": "1",
            },
            allow_redirects=False,
        )
        assert response.status == 303, await response.text()
        listing = await (await control.get("/assignment-templates")).text()
        assert "Отчёт" in listing and "Квартальный отчёт" in listing
        async with session_factory() as s:
            tpl = await s.scalar(select(AssignmentTemplate))
            assert tpl is not None
            tpl_id = tpl.id
        # The new-assignment form offers it and fills itself in from it.
        page = await (await control.get("/assignments/new")).text()
        assert 'id="from-template"' in page and ">Отчёт</option>" in page
        page = await (await control.get(f"/assignments/new?template={tpl_id}")).text()
        assert 'value="Квартальный отчёт"' in page
        calendar = WorkCalendar(tz=MOSCOW)
        due = calendar.end_of_working_day(calendar.add_working_days(utcnow().astimezone(MOSCOW).date(), 3))
        deadline = due.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M")
        assert f'value="{deadline}"' in page
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        response = await control.post(
            "/assignments/new",
            data={
                "csrf_token": token,
                "template_id": str(tpl_id),
                "title": "Квартальный отчёт",
                "executor_id": str(ids["worker"]),
                "deadline": deadline,
                "priority": "normal",
            },
            allow_redirects=False,
        )
        assert response.status == 303, await response.text()
        async with session_factory() as s:
            a = await s.scalar(select(Assignment))
            assert a is not None and a.template_id == tpl_id
            items = (
                await s.scalars(select(ChecklistItem.text).where(ChecklistItem.assignment_id == a.id))
            ).all()
        assert list(items) == ["Собрать", "Отправить"]
    finally:
        await control.close()


async def test_service_answer_templates_pages(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _world(session_factory)
    control = await client_for(app_factory, "control")
    try:
        assert (await control.get("/service-answer-templates")).status == 403
    finally:
        await control.close()
    manager = await client_for(app_factory, "manager")
    try:
        token = await csrf_token(manager, "/service-answer-templates/new")
        response = await manager.post(
            "/service-answer-templates/new",
            data={
                "csrf_token": token,
                "title": "Готово",
                "body": "Картридж заменён.",
                "service_topic_id": str(ids["topic"]),
            },
            allow_redirects=False,
        )
        assert response.status == 303
        listing = await (await manager.get("/service-answer-templates")).text()
        assert "Готово" in listing and "Принтеры" in listing
        async with session_factory() as s:
            tpl = await s.scalar(select(AnswerTemplate))
            assert tpl is not None and tpl.scope == "service"
        # Not among the appeals' templates.
        assert "Готово" not in await (await manager.get("/settings/answer-templates")).text()
        token = await csrf_token(manager, f"/service-answer-templates/{tpl.id}")
        response = await manager.post(
            f"/service-answer-templates/{tpl.id}",
            data={"csrf_token": token, "title": "Готово", "body": "", "service_topic_id": ""},
            allow_redirects=False,
        )
        assert response.status == 400
    finally:
        await manager.close()
    assert date(2026, 1, 9).weekday() == 4
