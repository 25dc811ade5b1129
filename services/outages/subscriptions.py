"""Residents subscribe to houses to hear of outages there. Both actions are idempotent."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Subscription, TelegramAccount
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound

# A resident follows home, work, parents' house… not a whole district (that is a staff job).
MAX_SUBSCRIPTIONS = 20


async def _account(session: AsyncSession, telegram_id: int) -> TelegramAccount:
    account = await session.get(TelegramAccount, telegram_id)
    if account is None:
        raise NotFound("Telegram account not found.")
    return account


async def _find(session: AsyncSession, telegram_id: int, building_id: int) -> Subscription | None:
    return await session.scalar(
        select(Subscription).where(
            Subscription.telegram_id == telegram_id, Subscription.building_id == building_id
        )
    )


async def subscribe(session: AsyncSession, telegram_id: int, building_id: int) -> Subscription:
    await _account(session, telegram_id)
    if await session.get(Building, building_id) is None:
        raise NotFound("Building not found.")
    existing = await _find(session, telegram_id, building_id)
    if existing is not None:
        return existing
    if len(await subscriptions_of(session, telegram_id)) >= MAX_SUBSCRIPTIONS:
        raise InvalidInput("You can follow at most %(n)s addresses.", n=MAX_SUBSCRIPTIONS)
    sub = Subscription(telegram_id=telegram_id, building_id=building_id)
    session.add(sub)
    await session.flush()
    record(
        session,
        Actor(telegram_id=telegram_id),
        "subscription",
        sub.id,
        "subscribe",
        data={"building": building_id},
    )
    await session.flush()
    return sub


async def unsubscribe(session: AsyncSession, telegram_id: int, building_id: int) -> bool:
    """False when there was nothing to remove (a second press of the same button)."""
    sub = await _find(session, telegram_id, building_id)
    if sub is None:
        return False
    record(
        session,
        Actor(telegram_id=telegram_id),
        "subscription",
        sub.id,
        "unsubscribe",
        data={"building": building_id},
    )
    await session.delete(sub)
    await session.flush()
    return True


async def subscriptions_of(session: AsyncSession, telegram_id: int) -> Sequence[Building]:
    rows = await session.scalars(
        select(Building)
        .join(Subscription, Subscription.building_id == Building.id)
        .where(Subscription.telegram_id == telegram_id)
        .order_by(Building.street_key, Building.house_number, Building.house_key)
    )
    return rows.all()
