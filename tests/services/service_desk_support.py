"""A small service desk for the SLA tests: a service department with its head, an agent, a topic
lead (outside the department), a requester, one topic with its own targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceTopic, SlaTarget, User
from models.enums import Role, ServiceUrgency
from services import staff
from services.audit import Actor
from services.notify import NoticeContext
from services.service_desk import requests

MSK = ZoneInfo("Europe/Moscow")
REACTION, RESOLUTION = 120, 240  # working minutes, NORMAL urgency of the test topic


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)  # type: ignore[misc]


@dataclass
class Desk:
    ctx: NoticeContext
    topic: ServiceTopic
    head: User
    agent: User
    colleague: User
    lead: User
    requester: User

    async def file(self, session: AsyncSession, when: datetime, subject: str = "Не печатает принтер"):  # type: ignore[no-untyped-def]
        return await requests.file_request(
            session,
            self.requester,
            requests.NewRequest(topic_id=self.topic.id, subject=subject, urgency=ServiceUrgency.NORMAL),
            ctx=self.ctx,
            now=when,
        )


async def make_desk(session: AsyncSession, *, code: str = "it-desk", tg_base: int = 9100) -> Desk:
    sys = Actor.system("test")
    dept = await staff.create_department(session, sys, name=f"Отдел ИТ {code}")
    head = await staff.create_user(
        session, sys, full_name="Начальник ИТ", department_id=dept.id, telegram_id=tg_base + 1
    )
    dept.head_id = head.id
    agent = await staff.create_user(
        session, sys, full_name="Инженер Петров", department_id=dept.id, telegram_id=tg_base + 2
    )
    colleague = await staff.create_user(
        session, sys, full_name="Инженер Сидоров", department_id=dept.id, telegram_id=tg_base + 3
    )
    lead = await staff.create_user(
        session, sys, full_name="Руководитель службы", roles=[Role.MANAGER], telegram_id=tg_base + 4
    )
    requester = await staff.create_user(session, sys, full_name="Бухгалтер Иванова", telegram_id=tg_base + 5)
    topic = ServiceTopic(
        code=code, name_ru="Рабочее место", name_en="Workplace", department_id=dept.id, lead_id=lead.id
    )
    session.add(topic)
    await session.flush()
    session.add(
        SlaTarget(
            topic_id=topic.id,
            urgency=ServiceUrgency.NORMAL,
            reaction_minutes=REACTION,
            resolution_minutes=RESOLUTION,
        )
    )
    await session.flush()
    return Desk(NoticeContext(tz=MSK), topic, head, agent, colleague, lead, requester)
