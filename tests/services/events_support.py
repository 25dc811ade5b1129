"""Shared pieces of the events tests: a manager, people's cards, an event, what was queued."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Correspondent, MailOutbox, OutboxMessage, User, utcnow
from porucheno.i18n import gettext
from services import staff
from services.audit import Actor
from services.events.events import EventInput
from services.events.manage import create_event
from services.notify import NoticeContext

CTX = NoticeContext()  # Europe/Moscow, as the test settings


def ru(msgid: str, **params: object) -> str:
    """What a Russian reader sees for a msgid (the catalog's translation once it is filled in)."""
    return gettext("ru", msgid, **params)


async def make_manager(factory: async_sessionmaker[AsyncSession], name: str = "Орлова Вера Петровна") -> int:
    async with factory() as session:
        user = await staff.create_user(
            session, Actor.system(), full_name=name, roles=("manager",), department_id=None
        )
        await session.commit()
        return user.id


async def make_person(
    factory: async_sessionmaker[AsyncSession], name: str, telegram_id: int | None = None
) -> int:
    async with factory() as session:
        card = Correspondent(name=name, telegram_id=telegram_id)
        session.add(card)
        await session.commit()
        return card.id


async def make_event(
    factory: async_sessionmaker[AsyncSession],
    manager_id: int,
    *,
    title: str = "Экскурсия по открытому хранению",
    capacity: int | None = 2,
    starts_in: timedelta = timedelta(days=3),
    remind_hours: int = 24,
) -> int:
    starts: datetime = utcnow().replace(microsecond=0) + starts_in
    async with factory() as session:
        user = await session.get(User, manager_id)
        assert user is not None
        event = await create_event(
            session,
            user,
            EventInput(
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1, minutes=30),
                programme="Открытое хранение",
                place="Главный корпус, зал 3",
                capacity=capacity,
                remind_hours=remind_hours,
            ),
        )
        await session.commit()
        return event.id


async def messages_to(factory: async_sessionmaker[AsyncSession], chat_id: int) -> list[str]:
    async with factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [m.payload["text"] for m in rows.all()]


async def letters_to(factory: async_sessionmaker[AsyncSession], address: str) -> list[MailOutbox]:
    async with factory() as session:
        rows = await session.scalars(
            select(MailOutbox).where(MailOutbox.to_address == address).order_by(MailOutbox.id)
        )
        return list(rows.all())
