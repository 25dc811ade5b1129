"""A small town for the dispatch pages, seeded through the services.

Houses: Lenina 1 and 3, the school at Shkolnaya 5, the hospital at Mira 10. Residents 201, 202, 203
follow Lenina 1, Lenina 3 and the school. Outage A: hot water at Lenina 1, 3 and the school, active
since two hours ago, published now (three notices queued). Outage B: heating at Lenina 1 and the
hospital on 10 March 2025, 10:00-13:00 Moscow time, resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Building, User, utcnow
from services.addresses import import_buildings
from services.audit import Actor
from services.notify import NoticeContext
from services.outages import lifecycle, subscriptions
from services.staff import create_user
from services.telegram_accounts import TelegramProfile, touch_account

PASSWORD = "correct-horse-battery"

# The column titles of the outage log export, as the dispatcher reads them in the spreadsheet.
OUTAGE_LOG_HEADER = [
    "№",
    "Вид",
    "Ресурс",
    "Статус",
    "Начало",
    "Плановое окончание",
    "Окончание",
    "Длительность, ч",
    "Домов",
    "Домо-часы",
    "Социальные объекты",  # the panel's "Social facilities"
    "Адреса",
    "Описание",
]
CTX = NoticeContext()
REGISTRY_CSV = (
    "Улица;Дом;Тип объекта;Название\n"
    "ул. Ленина;1;;\n"
    "ул. Ленина;3;;\n"
    "ул. Школьная;5;школа;Школа № 2\n"
    "ул. Мира;10;больница;ЦРБ\n"
)
B_START = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
B_END = B_START + timedelta(hours=3)


@dataclass(frozen=True)
class Town:
    houses: dict[str, int]  # "l1", "l3", "s5", "m10"
    active_id: int  # outage A
    past_id: int  # outage B
    chats: tuple[int, ...]  # the residents' chats, in the order 201, 202, 203


async def make_staff(session: AsyncSession, login: str, role: str, full_name: str) -> User:
    return await create_user(
        session, Actor.system("test"), full_name=full_name, roles=[role], login=login, password=PASSWORD
    )


async def make_town(session_factory: async_sessionmaker[AsyncSession]) -> Town:
    async with session_factory() as s:
        dispatcher = await make_staff(s, "dispatch", "dispatcher", "Дина Диспетчерова")
        await make_staff(s, "clerk", "clerk", "Клара Делопроизводова")
        await make_staff(s, "worker", "executor", "Иван Исполнителев")
        await import_buildings(s, REGISTRY_CSV.encode(), actor=Actor.system("test"), filename="town.csv")
        rows = (await s.scalars(select(Building))).all()
        keys = {("ул. Ленина", "1"): "l1", ("ул. Ленина", "3"): "l3", ("ул. Школьная", "5"): "s5"}
        houses = {keys.get((b.street, b.house), "m10"): b.id for b in rows}
        chats = (9201, 9202, 9203)
        for account, chat, house in zip((201, 202, 203), chats, ("l1", "l3", "s5"), strict=True):
            await touch_account(s, TelegramProfile(id=account, chat_id=chat, first_name=f"Житель {account}"))
            await subscriptions.subscribe(s, account, houses[house])

        now = utcnow()
        a = await lifecycle.create_outage(
            s,
            dispatcher,
            lifecycle.NewOutage(
                kind="accident",
                resource="hot_water",
                building_ids=[houses["l1"], houses["l3"], houses["s5"]],
                starts_at=now - timedelta(hours=2),
                expected_end_at=now + timedelta(hours=4),
                description="Порыв на магистрали",
            ),
            now=now - timedelta(minutes=5),
        )
        await lifecycle.publish(s, CTX, dispatcher, a.id, now=now)
        b = await lifecycle.create_outage(
            s,
            dispatcher,
            lifecycle.NewOutage(
                kind="accident",
                resource="heating",
                building_ids=[houses["l1"], houses["m10"]],
                starts_at=B_START,
                expected_end_at=B_START + timedelta(hours=4),
                description="Ремонт теплотрассы",
            ),
            now=B_START - timedelta(minutes=10),
        )
        await lifecycle.publish(s, CTX, dispatcher, b.id, now=B_START + timedelta(minutes=5))
        await lifecycle.resolve(s, CTX, dispatcher, b.id, B_END, now=now)
        await s.commit()
        return Town(houses, a.id, b.id, chats)
