"""Shared pieces of the service-desk bot tests: an IT service with two agents, a requester and an
outsider on staff, one topic served by the IT department, and the running outbox sender."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import ServiceRequest, ServiceTopic
from models.enums import Role
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from services import staff
from services.audit import Actor
from tests.bot.assignments_support import Person
from tests.bot.conftest import Chat

_telegram_ids = itertools.count(760_000_001)


@dataclass
class Desk:
    topic_id: int
    agent: Person  # of the IT department
    colleague: Person  # the agent's department mate
    requester: Person  # another department
    outsider: Person  # neither the requester nor the service
    session_factory: async_sessionmaker[AsyncSession]

    async def request(self, request_id: int) -> ServiceRequest:
        async with self.session_factory() as session:
            row = await session.get(ServiceRequest, request_id)
            assert row is not None
            return row

    async def only_request(self) -> ServiceRequest:
        async with self.session_factory() as session:
            rows = (await session.scalars(select(ServiceRequest))).all()
            assert len(rows) == 1, rows
            return rows[0]


async def _person(
    session: AsyncSession, client: SandboxClient, name: str, department_id: int | None
) -> Person:
    telegram_id = next(_telegram_ids)
    user = await staff.create_user(
        session,
        Actor.system(),
        full_name=name,
        roles=(Role.EXECUTOR,),
        department_id=department_id,
        telegram_id=telegram_id,
    )
    await client.register_user(user_id=telegram_id, first_name=name.split()[1], language_code="ru")
    return Person(user.id, Chat(client, telegram_id))


@pytest.fixture(name="desk")
async def desk_fixture(
    client: SandboxClient,
    polling: None,
    outbox: OutboxSender,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> Desk:
    async with session_factory() as session:
        it = await staff.create_department(session, Actor.system(), "ИТ-отдел")
        housing = await staff.create_department(session, Actor.system(), "Отдел ЖКХ")
        topic = ServiceTopic(
            code="workplace", name_ru="Рабочее место", name_en="Workplace", department_id=it.id, position=1
        )
        session.add(topic)
        session.add(ServiceTopic(code="old", name_ru="Старая тема", name_en="Old", is_active=False))
        desk = Desk(
            topic_id=0,
            agent=await _person(session, client, "Смирнов Алексей Игоревич", it.id),
            colleague=await _person(session, client, "Лебедев Роман Олегович", it.id),
            requester=await _person(session, client, "Попова Анна Сергеевна", housing.id),
            outsider=await _person(session, client, "Орлова Нина Павловна", housing.id),
            session_factory=session_factory,
        )
        await session.flush()
        desk.topic_id = topic.id
        await session.commit()
    return desk
