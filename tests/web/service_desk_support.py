"""An organisation with two services for the service-desk panel tests: IT (agent «it», lead «itlead»)
and Facilities (agent «aho»); staff members «staff» and «other» who only file requests, a manager
«boss» and an administrator «root». One topic per service; the IT topic has one request by «staff»."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Department, ServiceTopic, User
from porucheno.settings import Settings
from services.audit import Actor
from services.notify import NoticeContext
from services.service_desk import requests as desk
from services.staff import create_user

PASSWORD = "service-desk-password-1"


@dataclass(frozen=True)
class Desk:
    it_topic: int
    aho_topic: int
    request_id: int
    number: str
    ids: dict[str, int]


async def make_desk(session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> Desk:
    async with session_factory() as s:
        it = Department(name="Отдел ИТ")
        aho = Department(name="АХО")
        s.add_all([it, aho])
        await s.flush()
        ids: dict[str, int] = {}
        for login, name, roles, dept in (
            ("it", "Игорь Айтишников", ["executor"], it.id),
            ("itlead", "Лев Ведущий", ["executor"], it.id),
            ("aho", "Анна Хозяйственная", ["executor"], aho.id),
            ("staff", "Софья Сотрудникова", ["executor"], None),
            ("other", "Олег Другов", ["executor"], None),
            ("boss", "Мария Руководителева", ["manager"], None),
            ("root", "Админ Админов", ["admin"], None),
        ):
            user = await create_user(
                s,
                Actor.system("test"),
                full_name=name,
                roles=roles,
                login=login,
                password=PASSWORD,
                department_id=dept,
            )
            ids[login] = user.id
        it_topic = ServiceTopic(
            code="workplace", name_ru="Рабочее место", name_en="Workplace", department_id=it.id
        )
        aho_topic = ServiceTopic(
            code="furniture", name_ru="Мебель", name_en="Furniture", department_id=aho.id
        )
        s.add_all([it_topic, aho_topic])
        await s.flush()
        staff = await s.get(User, ids["staff"])
        item = await desk.file_request(
            s,
            staff,
            desk.NewRequest(topic_id=it_topic.id, subject="Не печатает принтер", text="Замятие бумаги"),
            ctx=NoticeContext.from_settings(settings),
        )
        await s.commit()
        return Desk(it_topic.id, aho_topic.id, item.id, item.number, ids)
