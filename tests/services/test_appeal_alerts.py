"""Clerks' scope and what it drives: the new-appeal alert (and who is left out), list visibility,
and the reminders before the registration and answer deadlines, once per threshold."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Category, OutboxMessage, RoutingRule, User
from models.enums import AppealChannel, AppealStatus, Role
from scheduler import jobs
from services import staff
from services.appeals import access, reminders
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.assignments import deadlines
from services.audit import Actor
from services.notify import NoticeContext

SYS = Actor.system("test")
CTX = NoticeContext(panel_url="https://panel.example.org/")
ROADS_CLERK, HOUSING_CLERK, WIDE_CLERK = 8101, 8102, 8103


async def _world(session: AsyncSession) -> dict[str, int]:
    roads = await staff.create_department(session, SYS, "Дорожный отдел")
    housing = await staff.create_department(session, SYS, "Отдел ЖКХ")
    ids = {"roads": roads.id, "housing": housing.id}
    for name, dept, tg in (("roads_clerk", roads, ROADS_CLERK), ("housing_clerk", housing, HOUSING_CLERK)):
        user = await staff.create_user(
            session, SYS, full_name=name, roles=[Role.CLERK], department_id=dept.id, telegram_id=tg
        )
        ids[name] = user.id
    category = Category(
        code="roads", name_ru="Дороги", name_en="Roads", answer_days=10, department_id=roads.id
    )
    session.add(category)
    await session.commit()
    ids["category"] = category.id
    return ids


def _input(category_id: int | None, **kw: object) -> AppealInput:
    return AppealInput(
        channel=kw.pop("channel", AppealChannel.WEB),  # type: ignore[arg-type]
        text="Яма на дороге у дома 5 по ул. Ленина",
        contact=ContactInput(name="Иван Петров", email="ivan@example.org"),
        category_id=category_id,
        address=kw.pop("address", "ул. Ленина, 5"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


async def _alerts(session: AsyncSession) -> dict[int, str]:
    rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("appeal:%:new:%")))
    return {m.chat_id: m.payload["text"] for m in rows}


async def test_new_appeal_alerts_the_clerks_in_scope_only(session: AsyncSession, tmp_path: Path) -> None:
    ids = await _world(session)
    result = await register_appeal(
        session, _input(ids["category"]), actor=SYS, files_dir=tmp_path, notify=CTX
    )
    await session.commit()
    alerts = await _alerts(session)
    assert set(alerts) == {ROADS_CLERK}  # not the housing clerk
    text = alerts[ROADS_CLERK]
    assert f"Новое обращение № {result.appeal.reg_number}" in text
    assert (
        "Канал: Форма на сайте" in text
        and "Дороги" in text
        and "ул. Ленина, 5" in text
        and "Яма на дороге" in text
    )
    message = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == ROADS_CLERK))
    assert message is not None
    button = message.payload["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == f"https://panel.example.org/appeals/{result.appeal.id}"

    # An organisation-wide clerk is told of every appeal; an appeal without a topic goes to all.
    await staff.create_user(session, SYS, full_name="wide", roles=[Role.CLERK], telegram_id=WIDE_CLERK)
    await session.commit()
    await register_appeal(session, _input(ids["category"]), actor=SYS, files_dir=tmp_path, notify=CTX)
    no_topic = await register_appeal(session, _input(None), actor=SYS, files_dir=tmp_path, notify=CTX)
    await session.commit()
    rows = (
        await session.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.dedup_key.like("appeal:%:new:%"))
        )
    ).all()
    assert sorted(rows) == sorted(
        [ROADS_CLERK, ROADS_CLERK, WIDE_CLERK, ROADS_CLERK, HOUSING_CLERK, WIDE_CLERK]
    )
    assert no_topic.created


async def test_own_entries_and_imports_alert_nobody(session: AsyncSession, tmp_path: Path) -> None:
    ids = await _world(session)
    clerk = await session.get(User, ids["roads_clerk"])
    assert clerk is not None
    paper = _input(ids["category"], channel=AppealChannel.PAPER)
    await register_appeal(session, paper, actor=Actor(user_id=clerk.id), files_dir=tmp_path, notify=CTX)
    historic = _input(ids["category"], notify=False, external_id="old-1")
    await register_appeal(session, historic, actor=SYS, files_dir=tmp_path, notify=CTX)
    await session.commit()
    assert await _alerts(session) == {}


async def test_visibility_follows_the_same_scope(session: AsyncSession, tmp_path: Path) -> None:
    ids = await _world(session)
    mine = await register_appeal(session, _input(ids["category"]), actor=SYS, files_dir=tmp_path)
    loose = await register_appeal(session, _input(None), actor=SYS, files_dir=tmp_path)
    await session.commit()
    clerks = await access.clerk_map(session)
    for key, expected in (
        ("roads_clerk", {mine.appeal.id, loose.appeal.id}),
        ("housing_clerk", {loose.appeal.id}),
    ):
        user = await session.get(User, ids[key])
        assert user is not None
        clause = access.visible_clause(user, clerks)
        seen = set((await session.scalars(select(Appeal.id).where(clause))).all())
        assert seen == expected
        for appeal in (mine.appeal, loose.appeal):
            covers = clerks.covers(user.department_id, await access.department_of(session, appeal))
            assert covers == (appeal.id in expected)


async def test_routing_rules_decide_the_scope_at_registration(session: AsyncSession, tmp_path: Path) -> None:
    """A street rule sends roads appeals on Ленина to the housing department: its clerk is alerted,
    sees it, and a later change of the rules does not move the appeal already registered."""
    ids = await _world(session)
    rule = RoutingRule(
        category_id=ids["category"], street="ул. Ленина", street_key="ленина", department_id=ids["housing"]
    )
    session.add(rule)
    await session.commit()
    routed = await register_appeal(
        session, _input(ids["category"]), actor=SYS, files_dir=tmp_path, notify=CTX
    )
    elsewhere = await register_appeal(
        session, _input(ids["category"], address="ул. Мира, 3"), actor=SYS, files_dir=tmp_path, notify=CTX
    )
    await session.commit()
    assert routed.appeal.department_id == ids["housing"]
    assert elsewhere.appeal.department_id == ids["roads"]  # no rule for Мира: the topic's department
    rows = (
        await session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("appeal:%:new:%")))
    ).all()
    told = {(m.chat_id, m.dedup_key.split(":")[1]) for m in rows}
    assert told == {(HOUSING_CLERK, str(routed.appeal.id)), (ROADS_CLERK, str(elsewhere.appeal.id))}
    await session.delete(rule)
    await session.commit()
    clerks = await access.clerk_map(session)
    housing_clerk = await session.get(User, ids["housing_clerk"])
    assert housing_clerk is not None
    seen = set(
        (await session.scalars(select(Appeal.id).where(access.visible_clause(housing_clerk, clerks)))).all()
    )
    assert seen == {routed.appeal.id}


# 20 Nov 2026 10:00 Moscow: a 10-day topic makes the answer due on 30 Nov 10:00.
RECEIVED = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
POLICY = reminders.ReminderPolicy(days_before=(3, 1))


async def _reminders(session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(OutboxMessage.dedup_key)
        .where(OutboxMessage.dedup_key.like("appeal-remind:%"))
        .order_by(OutboxMessage.id)
    )
    return [k.split(":", 4)[2] + ":" + k.split(":")[4] for k in rows]


async def test_reminders_fire_once_per_threshold(session: AsyncSession, tmp_path: Path) -> None:
    ids = await _world(session)
    result = await register_appeal(
        session, _input(ids["category"]), actor=SYS, files_dir=tmp_path, now=RECEIVED
    )
    await session.commit()
    appeal_id = result.appeal.id

    async def run(at: datetime) -> int:
        found = await reminders.scan(session, CTX, POLICY, at)
        await session.commit()
        return found.messages

    assert await run(RECEIVED + timedelta(hours=1)) == 0
    # Two days in and still not taken into work: one day before the 3-day registration term.
    assert await run(RECEIVED + timedelta(days=2)) == 1
    assert await run(RECEIVED + timedelta(days=2, hours=1)) == 0  # a rerun
    assert await run(RECEIVED + timedelta(days=3, hours=1)) == 1  # the term has passed
    assert await run(RECEIVED + timedelta(days=3, hours=2)) == 0

    appeal = await session.get(Appeal, appeal_id)
    assert appeal is not None
    appeal.status = AppealStatus.IN_WORK  # taken into work: only the answer deadline is left
    await session.commit()
    assert await run(RECEIVED + timedelta(days=7)) == 1  # 3 days before 30 Nov
    assert await run(RECEIVED + timedelta(days=7, hours=5)) == 0
    assert await run(RECEIVED + timedelta(days=9)) == 1  # 1 day before
    assert await run(RECEIVED + timedelta(days=9, hours=3)) == 0
    assert await run(RECEIVED + timedelta(days=10, hours=1)) == 1  # overdue
    assert await run(RECEIVED + timedelta(days=10, hours=2)) == 0
    assert await run(RECEIVED + timedelta(days=12)) == 0  # long past: only the digests list it
    assert await _reminders(session) == [
        "registration:d1",
        "registration:overdue",
        "answer:d3",
        "answer:d1",
        "answer:overdue",
    ]
    chats = set(
        (
            await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.dedup_key.like("appeal-remind:%"))
            )
        ).all()
    )
    assert chats == {ROADS_CLERK}


async def test_missed_thresholds_coalesce_and_quiet_hours_wait(session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        ids = await _world(session)
        await register_appeal(session, _input(ids["category"]), actor=SYS, files_dir=tmp_path, now=RECEIVED)
        appeal = (await session.scalars(select(Appeal))).one()
        appeal.status = AppealStatus.IN_WORK
        await session.commit()
    quiet = deadlines.NudgePolicy(quiet_start=time(22, 0), quiet_end=time(8, 0))
    night = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # 23:00 Moscow, the day before
    assert (await jobs.appeal_reminders(session_factory, CTX, POLICY, quiet, now=night)).messages == 0
    morning = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 08:00, two hours before the deadline
    assert (await jobs.appeal_reminders(session_factory, CTX, POLICY, quiet, now=morning)).messages == 1
    async with session_factory() as session:
        assert await _reminders(session) == ["answer:d1"]  # not d3 as well


@pytest.mark.parametrize(("raw", "parsed"), [("3,1", (3, 1)), ("1, 5 ,0", (5, 1, 0))])
def test_reminder_days_setting(raw: str, parsed: tuple[int, ...]) -> None:
    assert reminders.parse_days(raw) == parsed
