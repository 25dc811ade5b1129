"""The demo town's recent past, so the KPI dashboard, the digest and the dispatcher have something to
show from the first minute: three weeks of assignments (on time, late, overdue, returned), one
active outage on ул. Ленина, and a landscaping project with two stages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AuditEvent, Building, Project, ProjectStage, User, utcnow
from models.enums import AssignmentStatus as S
from models.enums import OutageKind
from services.audit import Actor
from services.notify import NoticeContext
from services.outages import lifecycle

# (title, executor, created days ago, deadline days from creation, status, done days after creation)
WORK = [
    ("Очистить ливнёвку у дома ул. Ленина, 5", "Попов Игорь Сергеевич", 20, 3, S.DONE, 2),
    ("Заменить лампы в подъездах ул. Ленина, 7", "Попов Игорь Сергеевич", 18, 5, S.DONE, 7),
    ("Подготовить акт осмотра теплотрассы", "Попов Игорь Сергеевич", 15, 4, S.DONE, 4),
    ("Покрасить ограждение детской площадки", "Васильева Анна Дмитриевна", 14, 7, S.DONE, 6),
    ("Высадить кустарник вдоль пр-та Мира", "Васильева Анна Дмитриевна", 12, 5, S.DONE, 9),
    ("Вывезти спиленные ветки, ул. Советская", "Васильева Анна Дмитриевна", 9, 3, S.IN_PROGRESS, None),
    ("Проверить освещение во дворе пр-т Мира, 14", "Попов Игорь Сергеевич", 8, 2, S.RETURNED, None),
    ("Согласовать схему парковки у школы № 3", "Новиков Павел Андреевич", 6, 10, S.ACKNOWLEDGED, None),
    ("Установить урны в сквере на ул. Ленина", "Васильева Анна Дмитриевна", 4, 6, S.NEW, None),
    ("Отремонтировать скамейки в сквере", "Васильева Анна Дмитриевна", 2, 12, S.NEW, None),
]


async def seed_history(session: AsyncSession, actor: Actor, author: User) -> None:
    now = utcnow()
    people = {u.full_name: u for u in (await session.scalars(select(User))).all()}
    created: list[Assignment] = []
    for title, executor_name, days_ago, term, status, done_after in WORK:
        executor = people[executor_name]
        start = now - timedelta(days=days_ago, hours=3)
        a = Assignment(
            title=title,
            status=status,
            author_id=author.id,
            controller_id=author.id,
            executor_id=executor.id,
            department_id=executor.department_id,
            created_at=start,
            updated_at=start,
            deadline=start + timedelta(days=term),
            done_at=start + timedelta(days=done_after) if done_after is not None else None,
            returns_count=1 if status == S.RETURNED else 0,
        )
        session.add(a)
        created.append(a)
    await session.flush()
    for a in created:  # the history is as accountable as live work: each step has its audit event
        session.add(_event(a, "create", a.created_at, author, None, S.NEW))
        if a.done_at is not None:
            session.add(_event(a, "accept", a.done_at, author, S.ON_REVIEW, S.DONE))
        if a.status == S.RETURNED:
            returned_at = a.created_at + timedelta(days=1)
            session.add(_event(a, "return", returned_at, author, S.ON_REVIEW, S.RETURNED))
    await _seed_project(session, author, created[-2:], now)
    await _seed_outage(session, people["Морозов Денис Олегович"], now)


def _event(a: Assignment, action: str, at: datetime, actor: User, old: str | None, new: str) -> AuditEvent:
    return AuditEvent(
        at=at,
        actor_user_id=actor.id,
        actor_label=actor.full_name,
        entity_type="assignment",
        entity_id=a.id,
        action=action,
        old_state=old,
        new_state=new,
    )


async def _seed_project(session: AsyncSession, manager: User, work: list[Assignment], now: datetime) -> None:
    today = now.date()
    project = Project(
        name="Благоустройство сквера на ул. Ленина",
        description="Урны, скамейки, освещение и озеленение сквера у школы № 3.",
        manager_id=manager.id,
        department_id=work[0].department_id,
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=40),
    )
    session.add(project)
    await session.flush()
    design = ProjectStage(
        project_id=project.id,
        position=1,
        name="Проект и согласования",
        planned_start=today - timedelta(days=20),
        planned_end=today - timedelta(days=5),
        actual_start=today - timedelta(days=20),
        actual_end=today - timedelta(days=4),
    )
    works = ProjectStage(
        project_id=project.id,
        position=2,
        name="Работы в сквере",
        planned_start=today - timedelta(days=3),
        planned_end=today + timedelta(days=30),
        actual_start=today - timedelta(days=2),
    )
    session.add_all([design, works])
    await session.flush()
    for a in work:
        a.project_id, a.stage_id = project.id, works.id


async def _seed_outage(session: AsyncSession, dispatcher: User, now: datetime) -> None:
    """Published as a dispatcher would: nobody is subscribed yet, so no notice is queued."""
    lenina = select(Building.id).where(Building.street_key == "ленина").order_by(Building.id)
    houses = (await session.scalars(lenina)).all()
    outage = await lifecycle.create_outage(
        session,
        dispatcher,
        lifecycle.NewOutage(
            kind=OutageKind.ACCIDENT,
            resource="hot_water",
            building_ids=list(houses),
            starts_at=now - timedelta(hours=2),
            expected_end_at=now + timedelta(hours=6),
            description="Порыв на магистрали горячего водоснабжения, работает аварийная бригада.",
        ),
        now=now - timedelta(hours=2),
    )
    await lifecycle.publish(session, NoticeContext(), dispatcher, outage.id, now=now - timedelta(hours=2))
