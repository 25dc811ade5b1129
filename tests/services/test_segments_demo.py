"""The demo's saved segments are created through the service and counted against the hand-made
audience (so a demo filter that stopped matching its people would show here)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from porucheno.demo_segments import seed_segments
from services.audit import Actor
from services.segments import saved
from services.staff import create_user
from tests.services.segments_dataset import NOW, build


async def test_demo_segments(session: AsyncSession) -> None:
    d = await build(session)
    assert (
        await seed_segments(session, Actor.system("demo"), ZoneInfo("Europe/Moscow"), NOW) == []
    )  # nobody to own them
    manager = await create_user(
        session,
        Actor.system("t"),
        full_name="Менеджер",
        roles=["manager"],
        login="m",
        password="correct-horse-battery",
    )
    ids = await seed_segments(session, Actor(user_id=manager.id), ZoneInfo("Europe/Moscow"), NOW)
    names = [(await saved.get(session, i)).name for i in ids]
    assert names[:3] == ["Родители Университета детей", "Подписчики новостей", "Волонтёры"]
    members = [d.names([m.correspondent_id for m in await saved.resolve(session, i, now=NOW)]) for i in ids]
    assert members == [
        # The programme (Аверина, Белов, Жукова, Егоров) with a confirmed consent.
        {"Аверина Анна", "Егоров Егор"},
        {
            "Аверина Анна",
            "Волкова Вера",
            "Григорьев Глеб",
            "Дмитриева Дарья",
            "Егоров Егор",
            "Зайцев Захар",
            "Иванова Ирина",
            "Никитина Нина",
            "Орлов Олег",
        },
        {"Волкова Вера", "Григорьев Глеб", "Никитина Нина", "Петрова Полина"},
        {"Иванова Ирина"},  # Telegram, confirmed, nothing for 400 days
    ]
