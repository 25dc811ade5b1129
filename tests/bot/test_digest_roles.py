"""The digest per role, through the sandbox on a frozen clock: a dispatcher reads outages and
signals (and no assignment zeros), a clerk the appeals in their scope, a manager everything, in the
daily digest and in ``/stats``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import Building, Category, Outage, OutageBuilding, OutageSignal
from models.enums import AppealChannel, OutageKind, OutageStatus, Role, SignalStatus
from porucheno.settings import Settings
from services import staff
from services.analytics.digest_send import queue_daily_digests
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.notify import NoticeContext
from tests.bot.assignments_support import outbox_fixture  # noqa: F401 - the real sender as a fixture
from tests.bot.conftest import Chat, keyboard_texts

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # Tuesday 24 Nov 2026, 08:00 in Moscow
MANAGER_ID, DISPATCHER_ID, CLERK_ID = 740_000_001, 740_000_002, 740_000_003


def msk(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=NoticeContext().tz).astimezone(UTC)


def _building(street: str, house: str, **kw: object) -> Building:
    return Building(street=street, street_key=street, house=house, house_key=house, **kw)  # type: ignore[arg-type]


@pytest.fixture
async def people(
    session_factory: async_sessionmaker[AsyncSession], client, polling, tmp_path
) -> dict[str, Chat]:  # type: ignore[no-untyped-def]
    sys = Actor.system("test")
    async with session_factory() as session:
        roads = await staff.create_department(session, sys, "Дорожный отдел")
        for name, roles, tg, dept in (
            ("Глава", [Role.MANAGER], MANAGER_ID, None),
            ("Диспетчер", [Role.DISPATCHER], DISPATCHER_ID, None),
            ("Делопроизводитель", [Role.CLERK], CLERK_ID, roads.id),
        ):
            await staff.create_user(
                session, sys, full_name=name, roles=roles, telegram_id=tg, department_id=dept
            )
        category = Category(code="roads", name_ru="Дороги", name_en="Roads", department_id=roads.id)
        session.add(category)
        await session.flush()
        contact = ContactInput(name="Иван Петров", email="ivan@example.org")
        for when, category_id in ((msk(23, 12), category.id), (msk(23, 12) - timedelta(days=40), None)):
            data = AppealInput(
                channel=AppealChannel.WEB, text="Яма", contact=contact, category_id=category_id
            )
            await register_appeal(session, data, actor=sys, files_dir=tmp_path, now=when)
        houses = [_building("Ленина", "1"), _building("Ленина", "3", is_social=True, social_type="school")]
        session.add_all(houses)
        active = Outage(
            kind=OutageKind.ACCIDENT, resource="heating", status=OutageStatus.ACTIVE, starts_at=msk(23, 9)
        )
        over = Outage(
            kind=OutageKind.ACCIDENT,
            resource="cold_water",
            status=OutageStatus.RESOLVED,
            starts_at=msk(23, 10),
            ended_at=msk(23, 15),
        )
        session.add_all([active, over])
        await session.flush()
        session.add_all([OutageBuilding(outage_id=active.id, building_id=b.id) for b in houses])
        session.add_all(
            [
                OutageSignal(
                    resource="heating", status=SignalStatus.LINKED, outage_id=active.id, created_at=msk(23, 9)
                ),
                OutageSignal(resource="gas", status=SignalStatus.NEW, created_at=msk(23, 18)),
            ]
        )
        await session.commit()
    chats = {}
    for key, tg in (("manager", MANAGER_ID), ("dispatcher", DISPATCHER_ID), ("clerk", CLERK_ID)):
        await client.register_user(user_id=tg, first_name=key, language_code="ru")
        chats[key] = Chat(client, tg)
    return chats


async def test_each_role_reads_its_own_digest(
    people: dict[str, Chat],
    session_factory: async_sessionmaker[AsyncSession],
    bot_settings: Settings,
    outbox: OutboxSender,
) -> None:
    ctx = NoticeContext.from_settings(bot_settings)
    async with session_factory() as session:
        assert await queue_daily_digests(session, ctx, bot_settings.files_dir, now=NOW) == 3
        await session.commit()

    dispatch = await people["dispatcher"].reply("Ежедневная сводка за 23.11.2026")
    text = dispatch["text"]
    assert dispatch["kind"] == "text"  # no assignment chart
    assert "Отключения: начато 2, завершено 1, действует сейчас 1" in text
    assert "Без ресурса сейчас домов: 2" in text and "школы: 1" in text
    assert "Сообщения жителей: 2, привязано к отключениям: 1" in text
    for zero in ("Поручения", "Поступило", "Выполнено", "Обращения"):
        assert zero not in text

    clerk = (await people["clerk"].reply("Ежедневная сводка за 23.11.2026"))["text"]
    assert "Дорожный отдел" in clerk
    assert "Обращения: зарегистрировано 1, дан ответ 0" in clerk
    assert "Просрочено сейчас: 1, срок в ближайшие 3 дн.: 0, не взято в работу: 2" in clerk
    assert "Отключения" not in clerk and "Поступило" not in clerk

    manager = await people["manager"].reply("Ежедневная сводка за 23.11.2026")
    assert manager["kind"] == "photo"
    for section in ("Поручения", "Поступило: 0", "Обращения: зарегистрировано 1", "Отключения: начато 2"):
        assert section in manager["caption"]


async def test_stats_per_role(people: dict[str, Chat]) -> None:
    stats = await people["manager"].send("/stats", expect="Сегодня на")
    assert (
        "Обращения:" in stats["caption"]
        and "Отключения:" in stats["caption"]
        and "Поручения" in stats["caption"]
    )
    menu = await people["dispatcher"].send("/start")
    assert "Статистика" in keyboard_texts(menu)  # the menu button, beside the command
    await people["dispatcher"].press(menu, "Статистика")
    dispatch = await people["dispatcher"].reply("Сегодня на")
    assert "действует сейчас 1" in dispatch["text"] and "Поступило" not in dispatch["text"]
    clerk = await people["clerk"].send("/stats", expect="Сегодня на")
    assert "Просрочено сейчас: 1" in clerk["text"] and "Отключения" not in clerk["text"]
