"""Recurring assignments on a real database: holidays, restarts, parallel runs, no backlog."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment, AuditEvent, ChecklistItem, RecurrenceRun, User
from models.enums import HolidayPolicy, Role
from services import staff
from services.audit import Actor
from services.errors import InvalidInput
from services.notify import NoticeContext, Translator
from services.recurring import manage, rules, runner
from services.work_calendar.clock import WorkCalendar

TZ = ZoneInfo("Europe/Moscow")
CTX = NoticeContext(tz=TZ)
# Days off by the government's decrees, written out here rather than asked of the library.
DAYS_OFF = (
    {date(2025, 12, 31)} | {date(2026, 1, d) for d in range(1, 10)} | {date(2026, 5, 1), date(2026, 5, 11)}
)


def working(day: date) -> bool:
    return day.weekday() < 5 and day not in DAYS_OFF


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User]:
    sys = Actor.system("test")
    dept = await staff.create_department(session, sys, "Бухгалтерия")
    p = {
        "boss": await staff.create_user(session, sys, full_name="Контролёр", roles=[Role.CONTROLLER]),
        "exec": await staff.create_user(session, sys, full_name="Исполнитель", department_id=dept.id),
    }
    await session.commit()
    return p


async def _rule(
    session: AsyncSession, people: dict[str, User], rrule: str, starts: date, created: datetime, **kw: object
) -> int:
    data = manage.RuleInput(
        title="Сдать отчёт",
        rrule=rrule,
        starts_on=starts,
        executor_id=people["exec"].id,
        checklist=("Собрать данные", "Подписать"),
        checklist_required=True,
        **kw,  # type: ignore[arg-type]
    )
    rule = await manage.create(session, people["boss"].id, data)
    rule.created_at = created
    await session.commit()
    return rule.id


async def _assignments(session: AsyncSession, rule_id: int) -> list[Assignment]:
    query = select(Assignment).where(Assignment.recurring_id == rule_id).order_by(Assignment.id)
    return list((await session.scalars(query)).all())


async def test_monthly_across_new_year_holidays_and_restart(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], people: dict[str, User]
) -> None:
    rule_id = await _rule(
        session, people, "FREQ=MONTHLY;BYMONTHDAY=9", date(2026, 1, 1), local(2025, 12, 1), term_days=2
    )
    expected = date(2026, 1, 9)
    while not working(expected):
        expected -= timedelta(days=1)
    assert expected == date(2025, 12, 30)
    # The day before: nothing yet.
    assert (await runner.run_due(session, CTX, local(2025, 12, 29, 17))).created == []
    # That day before the creation time: nothing; at 09:00 local: one assignment.
    assert (await runner.run_due(session, CTX, local(2025, 12, 30, 8, 59))).created == []
    first = await runner.run_due(session, CTX, local(2025, 12, 30, 9, 0))
    second = await runner.run_due(session, CTX, local(2025, 12, 30, 9, 5))
    assert len(first.created) == 1 and second.created == []
    # A restart: a fresh session, days later, sees the run and creates nothing more for January.
    async with session_factory() as fresh:
        assert (await runner.run_due(fresh, CTX, local(2026, 1, 12))).created == []
    made = await _assignments(session, rule_id)
    assert len(made) == 1
    a = made[0]
    # Two working days after 30 December: the 31st and the New Year holidays are off → 12 January.
    due = date(2025, 12, 30)
    for _ in range(2):
        due += timedelta(days=1)
        while not working(due):
            due += timedelta(days=1)
    assert a.deadline.astimezone(TZ) == datetime.combine(due, datetime.min.time(), TZ).replace(hour=18)
    assert a.checklist_required is True and a.author_id == people["boss"].id
    items = (
        await session.scalars(select(ChecklistItem.text).where(ChecklistItem.assignment_id == a.id))
    ).all()
    assert list(items) == ["Собрать данные", "Подписать"]
    run = await session.scalar(select(RecurrenceRun).where(RecurrenceRun.recurring_id == rule_id))
    assert run is not None and run.occurrence == date(2026, 1, 9) and run.scheduled_for == expected
    audited = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "recurring_assignment", AuditEvent.action == "run")
    )
    assert audited == 1
    # February 9 is a Monday and a working day: created that day.
    async with session_factory() as fresh:
        result = await runner.run_due(fresh, CTX, local(2026, 2, 9, 9, 30))
    assert len(result.created) == 1
    assert len(await _assignments(session, rule_id)) == 2


async def test_parallel_runs_create_once(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], people: dict[str, User]
) -> None:
    rule_id = await _rule(session, people, "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 1), local(2026, 3, 1))

    async def one() -> int:
        async with session_factory() as s:
            return len((await runner.run_due(s, CTX, local(2026, 3, 16, 12))).created)

    counts = await asyncio.gather(one(), one())
    assert sum(counts) == 3  # 2, 9 and 16 March, each once between the two
    assert len(await _assignments(session, rule_id)) == 3


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (HolidayPolicy.NEXT, [date(2026, 5, 4), date(2026, 5, 12)]),
        (HolidayPolicy.SKIP, [date(2026, 5, 4)]),
        (HolidayPolicy.PREVIOUS, [date(2026, 5, 4), date(2026, 5, 8)]),
    ],
)
async def test_weekly_monday_over_holiday_monday(
    session: AsyncSession, people: dict[str, User], policy: HolidayPolicy, expected: list[date]
) -> None:
    assert not working(date(2026, 5, 11)) and date(2026, 5, 11).weekday() == 0
    rule_id = await _rule(
        session,
        people,
        "FREQ=WEEKLY;BYDAY=MO",
        date(2026, 5, 1),
        local(2026, 4, 30),
        holiday_policy=policy.value,
        term_working=False,
    )
    result = await runner.run_due(session, CTX, local(2026, 5, 12, 12))
    made = await _assignments(session, rule_id)
    assert [a.created_at.astimezone(TZ).date() for a in made] == [date(2026, 5, 12)] * len(expected)
    # term 0 calendar days: due at the end of the scheduled day, or today's end when already late.
    assert [a.deadline.astimezone(TZ).date() for a in made] == [max(d, date(2026, 5, 12)) for d in expected]
    runs = (await session.scalars(select(RecurrenceRun).where(RecurrenceRun.recurring_id == rule_id))).all()
    assert sorted(r.occurrence for r in runs) == [date(2026, 5, 4), date(2026, 5, 11)]
    assert result.skipped == (1 if policy is HolidayPolicy.SKIP else 0)


async def test_no_backlog_before_the_rule_was_created(session: AsyncSession, people: dict[str, User]) -> None:
    rule_id = await _rule(session, people, "FREQ=MONTHLY;BYMONTHDAY=5", date(2024, 1, 1), local(2026, 3, 10))
    assert (await runner.run_due(session, CTX, local(2026, 3, 10, 12))).created == []
    # 5 April 2026 is a Sunday: the Friday before.
    assert (await runner.run_due(session, CTX, local(2026, 4, 3, 12))).created != []
    assert len(await _assignments(session, rule_id)) == 1


async def test_refused_occurrence_is_recorded_not_retried(
    session: AsyncSession, people: dict[str, User]
) -> None:
    rule_id = await _rule(session, people, "FREQ=DAILY", date(2026, 3, 2), local(2026, 3, 1))
    people["exec"].is_active = False
    await session.commit()
    result = await runner.run_due(session, CTX, local(2026, 3, 2, 12))
    assert result.failed == 1 and result.created == []
    run = await session.scalar(select(RecurrenceRun).where(RecurrenceRun.recurring_id == rule_id))
    assert run is not None and run.assignment_id is None and run.note == "User not found."
    assert (await runner.run_due(session, CTX, local(2026, 3, 2, 13))).failed == 0


def test_rules_validation_description_and_preview() -> None:
    with pytest.raises(InvalidInput):
        rules.normalize("FREQ=SOMETIMES")
    with pytest.raises(InvalidInput):
        rules.normalize("FREQ=HOURLY")
    assert rules.normalize("freq=monthly; bymonthday=5") == "FREQ=MONTHLY;BYMONTHDAY=5"
    ru, en = Translator("ru"), Translator("en")
    assert rules.describe("FREQ=MONTHLY;BYMONTHDAY=5", ru) == "ежемесячно, 5-го числа"
    assert rules.describe("FREQ=WEEKLY;BYDAY=MO", en) == "weekly, on Mondays"
    assert rules.describe(rules.preset_rule("quarterly", day=10)[0], en) == "quarterly, on day 10"
    calendar = WorkCalendar(tz=TZ)
    dates = rules.preview(
        "FREQ=MONTHLY;BYMONTHDAY=9", date(2026, 1, 1), None, "previous", calendar, date(2025, 12, 1), 3
    )
    assert [(p.occurrence, p.scheduled) for p in dates] == [
        (date(2026, 1, 9), date(2025, 12, 30)),
        (date(2026, 2, 9), date(2026, 2, 9)),
        (date(2026, 3, 9), date(2026, 3, 6)),  # 8 March is a Sunday: the day off moves to Monday the 9th
    ]
    workdays, policy = rules.preset_rule("workdays")
    days = rules.preview(workdays, date(2026, 1, 1), None, policy or "", calendar, date(2026, 1, 1), 12)
    assert next(p.scheduled for p in days if p.scheduled) == date(2026, 1, 12)


async def test_scheduler_job_uses_its_own_session(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], people: dict[str, User]
) -> None:
    from scheduler.recurring_jobs import recurring_assignments

    rule_id = await _rule(session, people, "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 1), local(2026, 3, 1))
    await manage.set_active(session, people["boss"].id, rule_id, False)
    await session.commit()
    assert (await recurring_assignments(session_factory, CTX, local(2026, 3, 2, 12))).created == []
    await manage.set_active(session, people["boss"].id, rule_id, True)
    await session.commit()
    assert len((await recurring_assignments(session_factory, CTX, local(2026, 3, 2, 12))).created) == 1
    assert len((await recurring_assignments(session_factory, CTX, local(2026, 3, 2, 12))).created) == 0
