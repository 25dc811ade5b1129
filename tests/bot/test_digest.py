"""Digests through the sandbox on a frozen clock: a manager and a department head get their daily
digest (chart + figures + buttons that open the overdue items) and the weekly XLSX, once per period."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from functools import partial

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import Assignment, OutboxMessage
from models.enums import AssignmentStatus as S
from models.enums import Role
from porucheno.settings import Settings
from scheduler import jobs
from services import staff
from services.analytics.digest_send import queue_daily_digests, queue_weekly_reports
from services.audit import Actor
from services.notify import NoticeContext
from tests.bot.assignments_support import outbox_fixture  # noqa: F401 - the real sender as a fixture
from tests.bot.conftest import Chat, keyboard_texts

# Tuesday 24 Nov 2026, 08:00 in Moscow.
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
MANAGER_ID, HEAD_ID = 720_000_001, 720_000_002


def msk(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=NoticeContext().tz).astimezone(UTC)


@pytest.fixture
async def people(session_factory: async_sessionmaker[AsyncSession], client, polling) -> dict[str, object]:  # type: ignore[no-untyped-def]
    sys = Actor.system("test")
    async with session_factory() as session:
        housing = await staff.create_department(session, sys, "Отдел ЖКХ")
        roads = await staff.create_department(session, sys, "Дорожный отдел")
        manager = await staff.create_user(
            session, sys, full_name="Глава Администрации", roles=[Role.MANAGER], telegram_id=MANAGER_ID
        )
        head = await staff.create_user(
            session, sys, full_name="Начальник Дорог", department_id=roads.id, telegram_id=HEAD_ID
        )
        await staff.set_department_head(session, sys, roads.id, head.id)
        worker = await staff.create_user(session, sys, full_name="Иванов Иван", department_id=housing.id)
        driver = await staff.create_user(session, sys, full_name="Петров Пётр", department_id=roads.id)

        def a(title: str, who, created, deadline, status=S.NEW, done=None) -> Assignment:  # type: ignore[no-untyped-def]
            return Assignment(
                title=title, status=status, author_id=manager.id, executor_id=who.id,
                department_id=who.department_id, created_at=created, deadline=deadline, done_at=done,
            )  # fmt: skip

        overdue = a("Яма на улице Мира", driver, msk(2, 9), msk(10, 18), S.IN_PROGRESS)
        session.add_all(
            [
                overdue,
                a("Вывоз снега", worker, msk(20, 9), msk(23, 18), S.DONE, done=msk(23, 15)),
                a("Ремонт остановки", driver, msk(23, 10), msk(30, 18)),
            ]
        )
        await session.commit()
        overdue_id = overdue.id
    for user_id, name in ((MANAGER_ID, "Глава"), (HEAD_ID, "Начальник")):
        await client.register_user(user_id=user_id, first_name=name, language_code="ru")
    return {"manager": Chat(client, MANAGER_ID), "head": Chat(client, HEAD_ID), "overdue_id": overdue_id}


async def _outbox_rows(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


async def test_daily_digest_reaches_managers_once_and_opens_items(
    people: dict[str, object],
    session_factory: async_sessionmaker[AsyncSession],
    bot_settings: Settings,
    outbox: OutboxSender,
) -> None:
    ctx = NoticeContext.from_settings(bot_settings)
    async with session_factory() as session:
        assert await queue_daily_digests(session, ctx, bot_settings.files_dir, now=NOW) == 2
        await session.commit()
    manager, head = people["manager"], people["head"]
    assert isinstance(manager, Chat) and isinstance(head, Chat)

    digest = await manager.reply("Ежедневная сводка за 23.11.2026")
    assert digest["kind"] == "photo"
    caption = digest["caption"]
    assert "Вся администрация" in caption
    assert "Поступило: 1" in caption and "Выполнено: 1, в срок: 1 (100%)" in caption
    assert "Просрочено сейчас: 1" in caption
    assert "Яма на улице Мира — срок 10.11.2026 18:00, Петров Пётр" in caption
    png = await manager.client.download(digest["media"][-1]["url"])
    assert png.startswith(b"\x89PNG")
    overdue_id = people["overdue_id"]
    assert keyboard_texts(digest) == [f"Открыть № {overdue_id}"]

    head_digest = await head.reply("Ежедневная сводка")
    assert "Дорожный отдел" in head_digest["caption"]
    assert (
        "Выполнено: 0, в срок: 0 (—)" in head_digest["caption"]
    )  # the housing department's work is not theirs

    # The job runs again (or after a restart): nothing new is queued or sent.
    rows = await _outbox_rows(session_factory)
    async with session_factory() as session:
        assert await queue_daily_digests(session, ctx, bot_settings.files_dir, now=NOW) == 0
        await session.commit()
    assert await _outbox_rows(session_factory) == rows

    # The button opens the assignment's card for the manager.
    await manager.press(digest, f"Открыть № {overdue_id}")
    card = await manager.reply("Яма на улице Мира")
    assert f"№{overdue_id}" in card["text"] or str(overdue_id) in card["text"]
    photos = [m for m in await manager.client.bot_messages(MANAGER_ID) if m["kind"] == "photo"]
    assert len(photos) == 1


async def test_weekly_report_is_an_xlsx_with_last_weeks_figures(
    people: dict[str, object],
    session_factory: async_sessionmaker[AsyncSession],
    bot_settings: Settings,
    outbox: OutboxSender,
) -> None:
    ctx = NoticeContext.from_settings(bot_settings)
    async with session_factory() as session:
        assert await queue_weekly_reports(session, ctx, bot_settings.files_dir, now=NOW) == 2
        assert await queue_weekly_reports(session, ctx, bot_settings.files_dir, now=NOW) == 0
        await session.commit()
    manager = people["manager"]
    assert isinstance(manager, Chat)
    message = await manager.reply("Еженедельный отчёт: Вся администрация, 16.11.2026 – 22.11.2026")
    assert message["kind"] == "document"
    data = await manager.client.download(message["media"][0]["url"])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Подразделения", "Сотрудники", "Просроченные поручения"]
    sheet = wb["Подразделения"]
    assert sheet["A1"].value == "Подразделение" and sheet["B1"].value == "Поступило"
    # Week 16–22 Nov: "Вывоз снега" was created on the 20th; the done one counts on the 23rd (next week).
    assert [c.value for c in sheet[2]][:4] == ["Вся администрация", 1, 0, 0]
    overdue = wb["Просроченные поручения"]
    assert overdue["B2"].value == "Яма на улице Мира" and overdue["C2"].value == "Петров Пётр"
    assert overdue["E2"].value == datetime(2026, 11, 10, 18, 0)  # Moscow wall-clock time
    assert overdue["F2"].value == 13


async def test_stats_on_demand(people: dict[str, object], new_chat) -> None:  # type: ignore[no-untyped-def]
    manager, head = people["manager"], people["head"]
    assert isinstance(manager, Chat) and isinstance(head, Chat)
    stats = await manager.send("/stats", expect="Сегодня на")
    assert stats["kind"] == "photo" and "Вся администрация" in stats["caption"]
    assert "Яма на улице Мира" in stats["caption"]  # overdue since 10 November
    head_stats = await head.send("/stats", expect="Сегодня на")
    assert "Дорожный отдел" in head_stats["caption"]
    resident = await new_chat("Ольга")
    refusal = await resident.send("/stats")
    assert refusal["text"].startswith("Статистика доступна сотрудникам")


async def test_digest_job_waits_for_its_time_and_sends_once(
    people: dict[str, object], session_factory: async_sessionmaker[AsyncSession], bot_settings: Settings
) -> None:
    ctx = NoticeContext.from_settings(bot_settings)
    run = partial(jobs.digests, session_factory, ctx, bot_settings.files_dir, time(8, 30), 2)  # Tuesdays
    assert await run(now=NOW) == 0  # 08:00 local: too early
    later = NOW + timedelta(hours=1)
    assert await run(now=later) == 4  # two daily digests and two weekly reports
    assert await run(now=later + timedelta(minutes=5)) == 0  # the next check, or after a restart
    assert await _outbox_rows(session_factory) == 4


async def test_digest_recipients_are_configurable(
    people: dict[str, object], session_factory: async_sessionmaker[AsyncSession], bot_settings: Settings
) -> None:
    ctx = NoticeContext.from_settings(bot_settings)
    async with session_factory() as session:
        heads_only = frozenset({"heads"})
        queued = await queue_daily_digests(session, ctx, bot_settings.files_dir, now=NOW, groups=heads_only)
        assert queued == 1
        await session.commit()
    async with session_factory() as session:
        chats = set((await session.scalars(select(OutboxMessage.chat_id))).all())
    assert chats == {HEAD_ID}
