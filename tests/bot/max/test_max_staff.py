"""Staff in MAX: a manager gets the daily digest with its chart as a MAX image and opens an overdue
item from it, asks ``/stats``; the staff main menu arrives as buttons that work when pressed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from models import Assignment, OutboxMessage
from models.enums import AssignmentStatus as S
from models.enums import OutboxStatus, Role
from porucheno.settings import Settings
from services import staff
from services.analytics.digest_send import queue_daily_digests
from services.audit import Actor
from services.notify import NoticeContext
from tests.bot.conftest import make_staff
from tests.bot.dispatch_support import eventually
from tests.bot.max.e2e_support import (  # noqa: F401 - fixtures
    attachments,
    bind_in_max,
    labels,
    max_outbox_fixture,
    text_of,
)
from tests.bot.test_start import STAFF_MENU

# Tuesday 24 Nov 2026, 08:00 in Moscow.
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def msk(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=NoticeContext().tz).astimezone(UTC)


async def _manager_with_work(session_factory) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    sys = Actor.system("test")
    async with session_factory() as session:
        housing = await staff.create_department(session, sys, "Отдел ЖКХ")
        roads = await staff.create_department(session, sys, "Дорожный отдел")
        manager = await staff.create_user(session, sys, full_name="Глава Администрации", roles=[Role.MANAGER])
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
        return manager.id, overdue.id


async def test_digest_with_chart_and_stats_in_max(
    new_max_chat, max_client, max_outbox, session_factory, settings: Settings
) -> None:
    manager_id, overdue_id = await _manager_with_work(session_factory)
    manager = await new_max_chat("Глава")
    await bind_in_max(session_factory, manager, manager_id)

    ctx = NoticeContext.from_settings(settings)
    async with session_factory() as session:
        assert await queue_daily_digests(session, ctx, settings.files_dir, now=NOW) == 1
        await session.commit()
    digest = await manager.reply("Ежедневная сводка за 23.11.2026")
    text = text_of(digest)
    assert "Вся администрация" in text and "Поступило: 1" in text
    assert "Выполнено: 1, в срок: 1 (100%)" in text and "Просрочено сейчас: 1" in text
    assert "Яма на улице Мира — срок 10.11.2026 18:00, Петров Пётр" in text
    [chart] = attachments(digest, "image")
    assert (await max_client.download(chart["payload"]["url"])).startswith(b"\x89PNG")
    assert labels(digest) == [f"Открыть № {overdue_id}"]

    async def sent() -> bool:
        async with session_factory() as session:
            [row] = (await session.scalars(select(OutboxMessage))).all()
        assert row.chat_id == manager.user_id  # the MAX chat address
        return row.status == OutboxStatus.SENT

    await eventually(sent)

    # The button opens the overdue assignment's card.
    await manager.press(digest, f"Открыть № {overdue_id}")
    card = await manager.reply("Яма на улице Мира")
    assert str(overdue_id) in text_of(card)

    # /stats on demand: the chart again, with today's figures.
    stats = await manager.send("/stats", expect="Сегодня на")
    assert "Вся администрация" in text_of(stats) and "Яма на улице Мира" in text_of(stats)
    [chart] = attachments(stats, "image")
    assert (await max_client.download(chart["payload"]["url"])).startswith(b"\x89PNG")


async def test_staff_menu_buttons_work_in_max(new_max_chat, max_client, session_factory) -> None:
    user_id = await make_staff(session_factory)
    chat = await new_max_chat("Анна")
    greeting = await bind_in_max(session_factory, chat, user_id)
    assert "Готово, Петрова Анна Сергеевна!" in text_of(greeting)
    assert labels(greeting) == STAFF_MENU

    menu = await chat.send("/menu", expect="Выберите действие")
    assert labels(menu) == STAFF_MENU
    pressed = await chat.press(menu, "Профиль")
    assert pressed["kind"] == "message"
    profile = await chat.reply("Петрова Анна Сергеевна")
    assert "Подразделение: Отдел ЖКХ" in text_of(profile)
    assert "Роли: руководитель, исполнитель" in text_of(profile)

    await chat.press(menu, "Мои поручения")
    mine = await chat.reply("Здесь пока ничего нет.")
    assert text_of(mine).startswith("Мои поручения — 📋 Все открытые")
    assert "Здесь пока ничего нет." in text_of(mine)
    assert labels(mine)[:2] == ["• 📋 Все открытые", "⏰ Просроченные"]
    pressed = await chat.press(mine, "⏰ Просроченные")
    assert pressed["kind"] == "callback"
    await chat.callback_answer(pressed["callback_id"])
    overdue = await chat.reply("— ⏰ Просроченные")
    assert overdue["mid"] == mine["mid"] and overdue["edited"]

    await chat.press(menu, "Статистика")
    stats = await chat.reply("Сегодня на")
    assert attachments(stats, "image")

    await chat.press(menu, "Новое поручение")
    ask = await chat.reply("Напишите текст поручения")
    assert labels(ask) == ["Отмена"]
    await chat.send("/cancel")
    # Pressing a menu button is the person writing its label: the transcript shows it as his message.
    mine_texts = [
        m["body"]["text"] for m in await max_client.transcript(chat.native_id) if m["side"] == "user"
    ]
    assert ["Профиль", "Мои поручения", "Статистика", "Новое поручение", "/cancel"] == mine_texts[-5:]
