"""Shared pieces of the residents' outage tests: a small town, outages through the services, delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import Building, OutageSignal, User, utcnow
from services.addresses import parse_address
from services.notify import NoticeContext
from services.outages import lifecycle, signals, subscriptions
from tests.bot.conftest import make_staff

CTX = NoticeContext()  # Europe/Moscow, as the test settings

# street, house, latitude, longitude
TOWN = {
    "lenina5": ("ул. Ленина", "5", 55.7500, 37.6100),
    "lenina7": ("ул. Ленина", "7", 55.7510, 37.6120),
    "mira10": ("ул. Мира", "10", 55.7600, 37.6300),
    "sad3": ("ул. Садовая", "3", None, None),
    "sadn3": ("ул. Садовническая", "3", None, None),
}


@dataclass
class Town:
    b: dict[str, int]
    dispatcher_id: int


async def seed_town(factory: async_sessionmaker[AsyncSession]) -> Town:
    dispatcher_id = await make_staff(
        factory, full_name="Диспетчер ЕДДС", roles=("dispatcher",), department=None
    )
    ids: dict[str, int] = {}
    async with factory() as session:
        for key, (street, house, lat, lon) in TOWN.items():
            parsed = parse_address(f"{street} {house}")
            assert parsed is not None
            b = Building(
                street=street,
                street_key=parsed.street_key,
                house=house,
                house_key=parsed.house_key,
                house_number=parsed.house_number,
                latitude=lat,
                longitude=lon,
            )
            session.add(b)
            await session.flush()
            ids[key] = b.id
        await session.commit()
    return Town(ids, dispatcher_id)


async def follow(factory: async_sessionmaker[AsyncSession], telegram_id: int, *building_ids: int) -> None:
    async with factory() as session:
        for building_id in building_ids:
            await subscriptions.subscribe(session, telegram_id, building_id)
        await session.commit()


async def followed(factory: async_sessionmaker[AsyncSession], telegram_id: int) -> list[str]:
    async with factory() as session:
        return [f"{b.street}, {b.house}" for b in await subscriptions.subscriptions_of(session, telegram_id)]


async def start_outage(
    factory: async_sessionmaker[AsyncSession], town: Town, keys: list[str], resource: str = "hot_water"
) -> int:
    """An emergency outage that began an hour ago, published (subscribers' notices queued)."""
    now = utcnow().replace(microsecond=0)
    async with factory() as session:
        dispatcher = await session.get(User, town.dispatcher_id)
        assert dispatcher is not None
        outage = await lifecycle.create_outage(
            session,
            dispatcher,
            lifecycle.NewOutage(
                kind="accident",
                resource=resource,
                building_ids=[town.b[k] for k in keys],
                starts_at=now - timedelta(hours=1),
                expected_end_at=now + timedelta(hours=5),
                description="Порыв трубы на вводе",
            ),
        )
        await lifecycle.publish(session, CTX, dispatcher, outage.id)
        await session.commit()
        return outage.id


async def outage_from_signals(
    factory: async_sessionmaker[AsyncSession], town: Town, signal_ids: list[int]
) -> int:
    async with factory() as session:
        dispatcher = await session.get(User, town.dispatcher_id)
        assert dispatcher is not None
        outage = await signals.create_outage_from_signals(session, dispatcher, signal_ids)
        await lifecycle.publish(session, CTX, dispatcher, outage.id)
        await session.commit()
        return outage.id


async def resolve(factory: async_sessionmaker[AsyncSession], town: Town, outage_id: int) -> None:
    async with factory() as session:
        dispatcher = await session.get(User, town.dispatcher_id)
        assert dispatcher is not None
        await lifecycle.resolve(session, CTX, dispatcher, outage_id)
        await session.commit()


async def deliver(bot: Bot, factory: async_sessionmaker[AsyncSession]) -> None:
    """Send the queued notices with the real outbox sender."""
    await OutboxSender(bot, factory, global_rate=100).drain(max_seconds=15)


async def signals_of(factory: async_sessionmaker[AsyncSession], telegram_id: int) -> list[OutageSignal]:
    async with factory() as session:
        rows = await session.scalars(
            select(OutageSignal).where(OutageSignal.telegram_id == telegram_id).order_by(OutageSignal.id)
        )
        return list(rows.all())
