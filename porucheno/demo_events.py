"""The demo museum's events: a «Университет детей» lecture ahead, a guided tour of the open storage
with 15 seats, all taken and three people on the waiting list, and a past lecture with its attendance
marked — all through the events services, so the panel's lists, counts and CRM cards show them.

The demo people have typed phones only (no chat, no e-mail): nothing is sent to anyone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User
from models.enums import Role
from services import staff
from services.audit import Actor
from services.correspondents.contact import ContactInput
from services.correspondents.directory import find_or_create
from services.events import registration
from services.events.events import EventInput
from services.events.manage import create_event

PEOPLE = [
    "Абрамова Ольга Викторовна",
    "Белов Сергей Николаевич",
    "Васильева Ирина Андреевна",
    "Гришин Павел Олегович",
    "Данилова Екатерина Сергеевна",
    "Егоров Михаил Юрьевич",
    "Жукова Наталья Петровна",
    "Зуев Андрей Васильевич",
    "Ильина Светлана Игоревна",
    "Карпов Дмитрий Александрович",
    "Лаврова Анна Михайловна",
    "Морозов Константин Ильич",
    "Никитина Юлия Романовна",
    "Осипов Виктор Геннадьевич",
    "Павлова Мария Денисовна",
    "Романов Артём Евгеньевич",
    "Соколова Дарья Алексеевна",
    "Тихонов Илья Борисович",
]
CHILDREN = "Университет детей"


def _at(now: datetime, tz: ZoneInfo, days: int, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time ``days`` from today, in UTC as stored."""
    day = now.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(now.tzinfo)


async def _organiser(session: AsyncSession, actor: Actor) -> User:
    """A manager or clerk of the demo (the events are theirs); a clerk is made if there is none."""
    for user in (await session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id))).all():
        if user.has_role(Role.MANAGER, Role.CLERK):
            return user
    return await staff.create_user(
        session, actor, full_name="Кузнецова Елена Сергеевна", position="Методист", roles=[Role.CLERK]
    )


async def seed_events(session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime) -> list[int]:
    organiser = await _organiser(session, actor)
    cards = []
    for i, name in enumerate(PEOPLE):
        card = await find_or_create(
            session, ContactInput(name=name, phone=f"+7 900 555-{i:02d}-{i * 7 % 100:02d}"), actor=actor
        )
        cards.append(card.id)

    lecture = await create_event(
        session,
        organiser,
        EventInput(
            title="Университет детей: как реставрируют картины",
            description="Реставратор покажет, как возвращают жизнь старым полотнам. Для детей 8–12 лет.",
            programme=CHILDREN,
            place="Лекторий, 2 этаж",
            starts_at=_at(now, tz, 6, 12),
            ends_at=_at(now, tz, 6, 13, 30),
            capacity=40,
            remind_hours=24,
        ),
    )
    tour = await create_event(
        session,
        organiser,
        EventInput(
            title="Экскурсия по открытому хранению",
            description="Фонды, которые обычно не видят посетители. Группа до 15 человек.",
            programme="Открытое хранение",
            place="Фондохранилище, вход со двора",
            starts_at=_at(now, tz, 3, 15),
            ends_at=_at(now, tz, 3, 16),
            capacity=15,
            remind_hours=3,
        ),
    )
    past = await create_event(
        session,
        organiser,
        EventInput(
            title="Университет детей: тайны Древнего Египта",
            programme=CHILDREN,
            place="Лекторий, 2 этаж",
            starts_at=_at(now, tz, -10, 12),
            ends_at=_at(now, tz, -10, 13, 30),
            capacity=30,
            remind_hours=24,
        ),
    )
    for card in cards[:5]:
        await registration.register(session, event_id=lecture.id, correspondent_id=card, actor=actor)
    for card in cards:  # 18 people, 15 seats: the last three wait
        await registration.register(session, event_id=tour.id, correspondent_id=card, actor=actor)
    registered_before = past.starts_at - timedelta(days=5)
    rows = [
        await registration.register(
            session, event_id=past.id, correspondent_id=card, actor=actor, now=registered_before
        )
        for card in cards[4:12]
    ]
    for row in rows[:6]:
        await registration.mark_attendance(session, organiser, row.id, True)
    await registration.mark_all(session, organiser, past.id, False)
    return [lecture.id, tour.id, past.id]
