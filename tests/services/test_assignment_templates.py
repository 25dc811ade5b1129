"""Assignment templates and service answer templates on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AnswerTemplate, Assignment, AuditEvent, ChecklistItem, ServiceTopic, User
from models.enums import Role
from services import staff
from services.appeals import answer_templates as appeal_templates
from services.assignments import commands
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.templates import answers
from services.templates import assignments as templates
from services.work_calendar.clock import WorkCalendar

TZ = ZoneInfo("Europe/Moscow")


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User]:
    sys = Actor.system("test")
    dept = await staff.create_department(session, sys, "Бухгалтерия")
    p = {
        "boss": await staff.create_user(session, sys, full_name="Контролёр", roles=[Role.CONTROLLER]),
        "manager": await staff.create_user(session, sys, full_name="Руководитель", roles=[Role.MANAGER]),
        "exec": await staff.create_user(session, sys, full_name="Исполнитель", department_id=dept.id),
    }
    await session.commit()
    return p


async def test_template_crud_apply_and_create(session: AsyncSession, people: dict[str, User]) -> None:
    boss = Actor(user_id=people["boss"].id)
    data = templates.TemplateInput(
        name="Квартальный отчёт",
        title="Подготовить квартальный отчёт",
        text="По форме 1",
        checklist=("Собрать", " ", "Подписать"),
        checklist_required=True,
        executor_id=people["exec"].id,
        term_days=3,
    )
    with pytest.raises(PermissionDenied):
        await templates.save(session, Actor(user_id=people["exec"].id), None, data)
    tpl = await templates.save(session, boss, None, data)
    await session.commit()
    assert tpl.checklist == ["Собрать", "Подписать"]
    with pytest.raises(InvalidInput):
        await templates.save(session, boss, None, data)  # the same name twice
    # Thursday 30 April 2026, 10:00: three working days on — 1 May is a holiday, then the weekend.
    now = datetime(2026, 4, 30, 10, tzinfo=TZ).astimezone(UTC)
    prefill = templates.apply(tpl, now, WorkCalendar(tz=TZ))
    assert prefill.deadline.astimezone(TZ) == datetime(2026, 5, 6, 18, tzinfo=TZ)
    a = await commands.create(
        session,
        people["boss"],
        commands.NewAssignment(
            title=prefill.title, text=prefill.text, deadline=prefill.deadline, executor_id=prefill.executor_id
        ),
        now=now,
    )
    await templates.attach(session, a.id, prefill)
    await session.commit()
    saved = await session.get(Assignment, a.id)
    assert saved is not None and saved.template_id == tpl.id and saved.checklist_required
    items = (
        await session.scalars(select(ChecklistItem.text).where(ChecklistItem.assignment_id == a.id))
    ).all()
    assert list(items) == ["Собрать", "Подписать"]
    await templates.set_active(session, boss, tpl.id, False)
    await session.commit()
    assert await templates.list_all(session, active_only=True) == []
    actions = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "assignment_template")
        )
    ).all()
    assert list(actions) == ["created", "deactivated"]
    assert date(2026, 5, 6).weekday() == 2


async def test_service_answer_templates_are_kept_apart(
    session: AsyncSession, people: dict[str, User]
) -> None:
    manager = Actor(user_id=people["manager"].id)
    topic = ServiceTopic(code="printers", name_ru="Принтеры", name_en="Printers")
    other = ServiceTopic(code="mail", name_ru="Почта", name_en="Mail")
    session.add_all([topic, other])
    await session.flush()
    with pytest.raises(PermissionDenied):
        await answers.save_service(
            session, Actor(user_id=people["exec"].id), None, title="x", body="y", topic_id=None
        )
    own = await answers.save_service(
        session, manager, None, title="Замена картриджа", body="Картридж заменён.", topic_id=topic.id
    )
    common = await answers.save_service(
        session, manager, None, title="Готово", body="Сделано.", topic_id=None
    )
    await answers.save_service(session, manager, None, title="Пароль", body="Сброшен.", topic_id=other.id)
    await session.commit()
    offered = await answers.for_service_request(session, topic.id)
    assert [t.id for t in offered] == [own.id, common.id]
    # Appeals never see the service desk's replies.
    assert await appeal_templates.list_all(session) == []
    assert await appeal_templates.for_category(session, None) == []
    await answers.save_service(session, manager, own.id, title="Картридж", body="Заменён.", topic_id=topic.id)
    await answers.set_service_active(session, manager, common.id, False)
    await session.commit()
    rows = (await session.scalars(select(AnswerTemplate).order_by(AnswerTemplate.id))).all()
    assert [(r.title, r.is_active) for r in rows] == [("Картридж", True), ("Готово", False), ("Пароль", True)]
