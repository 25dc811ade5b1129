"""The production calendar the administrator keeps: weekly hours and dated rows are validated field by
field, only an administrator changes them, every change is audited, and the year's numbers match the
government's calendar counted by hand."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, CalendarDay
from models.enums import CalendarDayKind, Role
from services import staff
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.work_calendar import admin, store

SYSTEM = Actor.system("test")
TZ = ZoneInfo("Europe/Moscow")

# 2026 by the government's decree on the transfer of days off, typed from the decree, not
# from the library: non-working days on weekdays, and the eves of public holidays (one hour shorter).
HOLIDAYS_2026_ON_WEEKDAYS = [
    date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7),
    date(2026, 1, 8), date(2026, 1, 9), date(2026, 2, 23), date(2026, 3, 9), date(2026, 5, 1),
    date(2026, 5, 11), date(2026, 6, 12), date(2026, 11, 4), date(2026, 12, 31),
]  # fmt: skip
SHORT_2026 = [date(2026, 4, 30), date(2026, 5, 8), date(2026, 6, 11), date(2026, 11, 3)]


def _hand_count(month: int | None = None) -> tuple[int, int]:
    """Working days and 40-hour-week norm hours of 2026 (or one month): weekdays minus the list."""
    day, days, hours = date(2026, 1, 1), 0, 0
    while day.year == 2026:
        if (
            (month is None or day.month == month)
            and day.weekday() < 5
            and day not in HOLIDAYS_2026_ON_WEEKDAYS
        ):
            days += 1
            hours += 7 if day in SHORT_2026 else 8
        day += timedelta(days=1)
    return days, hours


async def _admin(session: AsyncSession) -> Actor:
    user = await staff.create_user(session, SYSTEM, full_name="Админ", roles=[Role.ADMIN])
    return Actor(user_id=user.id)


async def _events(session: AsyncSession) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.entity_type == "work_calendar").order_by(AuditEvent.id)
    return list((await session.scalars(query)).all())


async def test_2026_has_247_working_days_as_the_decree(session: AsyncSession) -> None:
    view = await admin.year_view(session, TZ, 2026)
    assert (view.working_days, view.norm_hours) == _hand_count() == (247, 1972)
    assert view.days_off == 365 - 247
    assert [(m.working_days, m.norm_hours) for m in view.months] == [_hand_count(m) for m in range(1, 13)]
    may = view.months[4]
    first, ninth = may.days[0], may.days[8]
    assert not first.working and first.name == "Праздник Весны и Труда"
    assert not ninth.working and ninth.name == "День Победы"
    assert may.days[7].reason == CalendarDayKind.SHORT and may.days[7].hours == (time(9), time(17))
    # 09:00–18:00 on an ordinary day by default: the configured span, 9 hours a day, 8 on an eve.
    assert may.working_minutes == (may.working_days * 9 - 1) * 60


async def test_weekly_hours_are_validated_per_field_and_audited(session: AsyncSession) -> None:
    actor = await _admin(session)
    cases = [
        ({0: ("9:00", "18:00")}, "0_starts"),
        ({1: ("09:00", "25:00")}, "1_ends"),
        ({2: ("18:00", "09:00")}, "2_ends"),
        ({3: ("10:00", "")}, "3_ends"),
        ({}, "0_starts"),
    ]
    for hours, field in cases:
        with pytest.raises(InvalidInput) as refused:
            await admin.set_week(session, actor, hours)
        assert refused.value.params["field"] == field
    week = {d: ("08:00", "17:00") for d in range(4)} | {4: ("08:00", "15:45"), 5: ("", "")}
    await admin.set_week(session, actor, week)
    loaded = await store.week(session)
    assert loaded == {d: (time(8), time(17)) for d in range(4)} | {4: (time(8), time(15, 45))}
    [event] = await _events(session)
    assert event.action == "week_changed" and event.actor_user_id == actor.user_id
    assert event.data["old"]["0"] == ["09:00", "18:00"] and event.data["new"]["4"] == ["08:00", "15:45"]
    assert "5" not in event.data["new"]  # Saturday stays a day off


async def test_own_days_added_changed_deleted_and_audited(session: AsyncSession) -> None:
    actor = await _admin(session)
    sanitary = date(2026, 3, 31)  # a museum's last Tuesday of the month
    row = await admin.save_day(
        session, actor, None, admin.DayInput(sanitary, CalendarDayKind.DAY_OFF, "  Санитарный   день ")
    )
    calendar = await store.load(session, TZ)
    info = calendar.info(sanitary)
    assert not info.working and info.reason == "day_off" and info.name == "Санитарный день"
    view = await admin.year_view(session, TZ, 2026)
    assert view.months[2].working_days == _hand_count(3)[0] - 1

    refusals = [
        (admin.DayInput(None, "day_off"), "day"),
        (admin.DayInput(sanitary, "day_off"), "day"),  # one row per date
        (admin.DayInput(date(2026, 4, 1), "party"), "kind"),
        (admin.DayInput(date(2026, 4, 1), "day_off", "x" * 256), "note"),
        (admin.DayInput(date(2026, 4, 1), "day_off", "", "10:00", "12:00"), "starts"),
        (admin.DayInput(date(2026, 4, 1), "short", "", "10:00", "09:00"), "ends"),
        (admin.DayInput(date(1999, 4, 1), "short"), "day"),
    ]
    for data, field in refusals:
        with pytest.raises(InvalidInput) as refused:
            await admin.save_day(session, actor, None, data)
        assert refused.value.params["field"] == field, data

    # A Saturday made working with its own hours, then changed into a shortened day.
    saturday = date(2026, 4, 4)
    extra = await admin.save_day(
        session, actor, None, admin.DayInput(saturday, "workday", "Отработка", "10:00", "16:00")
    )
    assert (await store.load(session, TZ)).info(saturday).hours == (time(10), time(16))
    await admin.save_day(session, actor, extra.id, admin.DayInput(saturday, "short", "Отработка"))
    assert (await store.load(session, TZ)).info(saturday).hours == (time(9), time(17))
    await admin.delete_day(session, actor, row.id)
    assert [r.day for r in await admin.list_days(session, 2026)] == [saturday]
    assert (await store.load(session, TZ)).is_working_day(sanitary)

    events = await _events(session)
    assert [e.action for e in events] == ["day_added", "day_added", "day_changed", "day_deleted"]
    assert events[2].data["old"]["kind"] == "workday" and events[2].data["new"]["kind"] == "short"
    assert events[3].data["old"]["note"] == "Санитарный день"


async def test_only_an_administrator_changes_the_calendar(session: AsyncSession) -> None:
    clerk = await staff.create_user(session, SYSTEM, full_name="Клерк", roles=[Role.CLERK])
    actor = Actor(user_id=clerk.id)
    with pytest.raises(PermissionDenied):
        await admin.save_day(session, actor, None, admin.DayInput(date(2026, 3, 31), "day_off"))
    with pytest.raises(PermissionDenied):
        await admin.set_week(session, actor, {0: ("09:00", "18:00")})
    assert (await session.scalars(select(CalendarDay))).all() == []
    assert await _events(session) == []
