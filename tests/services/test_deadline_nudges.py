"""Deadline nudges with a frozen clock: offsets, quiet hours, restarts, coalescing, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage, User
from models.enums import Role
from scheduler import jobs
from services import staff
from services.assignments import commands, deadlines
from services.audit import Actor
from services.notify import NoticeContext

CTX = NoticeContext()  # Europe/Moscow, UTC+3
POLICY = deadlines.NudgePolicy(quiet_start=time(22, 0), quiet_end=time(8, 0))
# Deadline: 25 Nov 2026 15:00 Moscow time = 12:00 UTC.
DEADLINE = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CREATED = DEADLINE - timedelta(days=3)


@pytest.fixture
async def setup(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as session:
        sys = Actor.system("t")
        dept = await staff.create_department(session, sys, "ЖКХ")
        head = await staff.create_user(
            session, sys, full_name="Начальник", department_id=dept.id, telegram_id=9001
        )
        boss = await staff.create_user(
            session, sys, full_name="Контролёр", roles=[Role.CONTROLLER], telegram_id=9002
        )
        ex = await staff.create_user(
            session, sys, full_name="Исполнитель", department_id=dept.id, telegram_id=9003
        )
        await staff.set_department_head(session, sys, dept.id, head.id)
        a = await commands.create(
            session,
            boss,
            commands.NewAssignment(title="Починить кран", deadline=DEADLINE, executor_id=ex.id),
            now=CREATED,
        )
        await session.commit()
        return {"a": a.id, "ex": ex.id, "boss": boss.id, "head": head.id}


async def _notices(factory: async_sessionmaker[AsyncSession], chat_id: int) -> list[str]:
    async with factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [r.payload["text"].split("\n")[0] for r in rows]


async def test_reminders_at_each_offset_once_even_after_restart(
    session_factory: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    scan = jobs.deadline_scan
    assert (await scan(session_factory, CTX, POLICY, DEADLINE - timedelta(hours=30))).reminders == 0
    r = await scan(session_factory, CTX, POLICY, DEADLINE - timedelta(hours=23, minutes=55))
    assert r.reminders == 1
    # The same scan again, as after a restart (fresh sessions, nothing in memory): nothing new.
    assert (
        await scan(session_factory, CTX, POLICY, DEADLINE - timedelta(hours=23, minutes=50))
    ).reminders == 0
    assert (
        await scan(session_factory, CTX, POLICY, DEADLINE - timedelta(hours=1, minutes=59))
    ).reminders == 1
    at = await scan(session_factory, CTX, POLICY, DEADLINE + timedelta(minutes=1))
    assert at.deadline_notices == 1
    assert (await scan(session_factory, CTX, POLICY, DEADLINE + timedelta(minutes=6))).deadline_notices == 0
    assert await _notices(session_factory, 9003) == [
        "<b>⏰ До срока осталось 23 ч 55 мин</b>",
        "<b>⏰ До срока осталось 1 ч 59 мин</b>",
        "<b>🔴 Срок исполнения истёк</b>",
    ]
    assert await _notices(session_factory, 9002) == ["<b>🔴 Срок исполнения истёк</b>"]


async def test_missed_nudges_are_coalesced_into_the_most_urgent(
    session_factory: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    # The service was down from 30 h before the deadline until 1 h before it.
    r = await jobs.deadline_scan(session_factory, CTX, POLICY, DEADLINE - timedelta(hours=1))
    assert r.reminders == 1
    assert await _notices(session_factory, 9003) == ["<b>⏰ До срока осталось 1 ч 0 мин</b>"]
    assert (
        await jobs.deadline_scan(session_factory, CTX, POLICY, DEADLINE - timedelta(minutes=50))
    ).reminders == 0


async def test_quiet_hours_defer_and_morning_catches_up(
    session_factory: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    # 22:30 Moscow the evening before (19:30 UTC): inside the 24 h window but quiet.
    evening = datetime(2026, 11, 24, 19, 30, tzinfo=UTC)
    r = await jobs.deadline_scan(session_factory, CTX, POLICY, evening)
    assert r.quiet and r.reminders == 0
    assert await _notices(session_factory, 9003) == []
    morning = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 08:00 Moscow
    assert (await jobs.deadline_scan(session_factory, CTX, POLICY, morning)).reminders == 1
    assert await _notices(session_factory, 9003) == ["<b>⏰ До срока осталось 7 ч 0 мин</b>"]


async def test_done_assignments_get_no_nudges(
    session_factory: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    async with session_factory() as session:
        boss = await session.get(User, setup["boss"])
        assert boss is not None
        from services.assignments.lifecycle import Action

        await commands.transition(session, boss, setup["a"], Action.CANCEL, reason="Не актуально")
        await session.commit()
    r = await jobs.deadline_scan(session_factory, CTX, POLICY, DEADLINE - timedelta(hours=1))
    assert (r.reminders, r.deadline_notices) == (0, 0)


async def test_daily_escalation_to_controller_and_head_once_a_day(
    session_factory: async_sessionmaker[AsyncSession], setup: dict[str, int]
) -> None:
    day2 = DEADLINE + timedelta(days=2)
    assert await jobs.overdue_escalation(session_factory, CTX, day2) == 2
    assert (
        await jobs.overdue_escalation(session_factory, CTX, day2 + timedelta(hours=1)) == 0
    )  # same local day
    assert await jobs.overdue_escalation(session_factory, CTX, day2 + timedelta(days=1)) == 2
    for chat in (9001, 9002):
        texts = await _notices(session_factory, chat)
        assert texts[-1] == "<b>🔴 Просроченные поручения: 1</b>"
    async with session_factory() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 9001))
        assert row is not None
        assert "№1 Починить кран — Исполнитель, просрочено на 2 дн." in row.payload["text"]
        assert (
            row.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"asg:open:{setup['a']}"
        )
