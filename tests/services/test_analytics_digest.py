"""The daily digest's figures, text and chart on a frozen clock (Moscow time, local calendar days)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Project, ProjectStage
from models.enums import AssignmentStatus as S
from models.enums import Role
from services import staff
from services.analytics.charts import on_time_trend_png
from services.analytics.digest import TREND_DAYS, build_digest, render_digest
from services.analytics.kpi import Scope
from services.audit import Actor
from services.notify import NoticeContext, Translator

# 24 Nov 2026, 09:00 in Moscow: the digest reports on 23 November (local).
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
CTX = NoticeContext()


def msk(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CTX.tz).astimezone(UTC)


@pytest.fixture
async def data(session: AsyncSession) -> dict[str, int]:
    sys = Actor.system("test")
    housing = await staff.create_department(session, sys, "Отдел ЖКХ")
    roads = await staff.create_department(session, sys, "Дорожный отдел")
    boss = await staff.create_user(session, sys, full_name="Контролёр", roles=[Role.CONTROLLER])
    ivanov = await staff.create_user(session, sys, full_name="Иванов И. И.", department_id=housing.id)
    petrov = await staff.create_user(session, sys, full_name="Петров П. П.", department_id=roads.id)

    def a(title: str, who, created, deadline, status=S.NEW, done=None) -> Assignment:  # type: ignore[no-untyped-def]
        return Assignment(
            title=title,
            status=status,
            author_id=boss.id,
            executor_id=who.id,
            department_id=who.department_id,
            created_at=created,
            deadline=deadline,
            done_at=done,
        )

    session.add_all(
        [
            # created on the 23rd local time (00:30 MSK is still the 22nd in UTC)
            a("Яма на Ленина", ivanov, msk(23, 0) + timedelta(minutes=30), msk(30, 18)),
            a("Свет в подъезде", petrov, msk(23, 20), msk(30, 18)),
            # done on the 23rd: one on time, one late
            a("Вывоз снега", ivanov, msk(20, 9), msk(23, 18), S.DONE, done=msk(23, 17)),
            a("Ремонт лавки", petrov, msk(10, 9), msk(21, 18), S.DONE, done=msk(23, 12)),
            # done at 23:30 on the 22nd MSK: belongs to the 22nd
            a("Покраска", ivanov, msk(15, 9), msk(25, 18), S.DONE, done=msk(22, 23) + timedelta(minutes=30)),
            # overdue now, most overdue first
            a("Старая заявка", petrov, msk(1, 9), msk(5, 18), S.IN_PROGRESS),
            a("Протечка <крыши>", ivanov, msk(10, 9), msk(20, 18), S.RETURNED),
            # due later today
            a("Отчёт о работах", ivanov, msk(20, 9), msk(24, 17)),
            # done before the trend window
            a("Давнее", ivanov, msk(1, 9, month=10), msk(5, 18, month=10), S.DONE, done=msk(2, 9, month=10)),
        ]
    )
    park = Project(name="Парк у реки", department_id=housing.id)
    square = Project(name="Сквер", department_id=roads.id)
    session.add_all([park, square])
    await session.flush()
    session.add_all(
        [
            ProjectStage(project_id=park.id, name="Работы", planned_end=date(2026, 11, 20)),  # late
            ProjectStage(project_id=square.id, name="Проект", planned_end=date(2026, 12, 20)),
        ]
    )
    await session.commit()
    return {"housing": housing.id, "roads": roads.id}


async def test_organisation_digest(session: AsyncSession, data: dict[str, int]) -> None:
    digest = await build_digest(session, CTX, now=NOW)
    assert digest.day.isoformat() == "2026-11-23"
    k = digest.yesterday
    assert (k.received, k.done, k.done_on_time) == (2, 2, 1)
    assert (digest.overdue_now, digest.due_today) == (2, 1)
    assert [item.title for item in digest.top_overdue] == ["Старая заявка", "Протечка <крыши>"]
    assert len(digest.trend) == TREND_DAYS and digest.trend[-1].day == digest.day
    by_day = {p.day.day: (p.done, p.on_time) for p in digest.trend}
    assert by_day[23] == (2, 1) and by_day[22] == (1, 1) and by_day[21] == (0, 0)

    text, keyboard = render_digest(digest, Translator("ru"), CTX, heading="Администрация")
    assert "Ежедневная сводка за 23.11.2026" in text
    assert "Выполнено: 2, в срок: 1 (50%)" in text
    assert "Просрочено сейчас: 2" in text
    assert "Протечка &lt;крыши&gt;" in text  # escaped for Telegram's HTML
    assert "05.11.2026 18:00" in text  # the deadline in Moscow time
    assert "Проекты: в графике 1, под угрозой 0, с отставанием 1" in text
    assert "С отставанием: Парк у реки" in text
    callbacks = [row[0]["callback_data"] for row in keyboard["inline_keyboard"]]
    assert callbacks == [f"asg:open:{item.id}" for item in digest.top_overdue]

    png = on_time_trend_png(digest.trend, Translator("ru"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000


async def test_department_digest(session: AsyncSession, data: dict[str, int]) -> None:
    digest = await build_digest(session, CTX, now=NOW, scope=Scope(department_id=data["roads"]))
    k = digest.yesterday
    assert (k.received, k.done, k.done_on_time, digest.overdue_now, digest.due_today) == (1, 1, 0, 1, 0)
    assert [item.title for item in digest.top_overdue] == ["Старая заявка"]
    text, _ = render_digest(digest, Translator("en"), CTX, heading="Roads")
    assert "Done: 1, on time: 0 (0%)" in text
    assert "Projects: 1 on track, 0 at risk, 0 late" in text
