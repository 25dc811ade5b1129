"""The working-time calendar: the government's days over the usual week, the administrator's rows
over both, and working minutes counted across nights, weekends and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from models.enums import CalendarDayKind
from services.work_calendar.clock import DayRule, WorkCalendar

MSK = ZoneInfo("Europe/Moscow")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)


def test_state_calendar_days() -> None:
    cal = WorkCalendar(MSK)
    assert not cal.is_working_day(date(2026, 5, 1))  # Праздник Весны и Труда
    assert "Весны" in cal.info(date(2026, 5, 1)).name
    assert not cal.is_working_day(date(2026, 1, 9))  # the day off moved from Saturday 3 January
    assert cal.is_working_day(date(2027, 2, 20))  # a Saturday made a working day by the 2027 decree
    assert not cal.is_working_day(date(2027, 2, 22))
    assert not cal.is_working_day(date(2026, 12, 5))  # an ordinary Saturday
    # The eve of a public holiday is an hour shorter; the eve of a moved day off is not.
    assert cal.hours(date(2026, 4, 30)) == (time(9), time(17))
    assert cal.hours(date(2026, 12, 30)) == (time(9), time(18))


def test_administrator_rows_win() -> None:
    rules = {
        date(2026, 12, 7): DayRule(CalendarDayKind.DAY_OFF, note="Санитарный день"),
        date(2026, 12, 12): DayRule(CalendarDayKind.WORKDAY, hours=(time(10), time(14))),
        date(2026, 5, 1): DayRule(CalendarDayKind.WORKDAY),
    }
    cal = WorkCalendar(MSK, rules=rules)
    assert not cal.is_working_day(date(2026, 12, 7))
    assert cal.info(date(2026, 12, 7)).name == "Санитарный день"
    assert cal.hours(date(2026, 12, 12)) == (time(10), time(14))
    assert cal.is_working_day(date(2026, 5, 1))


def test_working_minutes_across_a_weekend() -> None:
    cal = WorkCalendar(MSK)
    friday_17 = local(2026, 12, 4, 17, 0)
    due = cal.add_working_minutes(friday_17, 4 * 60)
    assert due.astimezone(MSK) == local(2026, 12, 7, 12, 0)  # 1 h on Friday, 3 h on Monday
    assert cal.working_minutes(friday_17, due) == 240
    # Filed at night: the clock starts with the working day.
    assert cal.add_working_minutes(local(2026, 12, 8, 2, 0), 30).astimezone(MSK) == local(2026, 12, 8, 9, 30)
    assert cal.working_minutes(local(2026, 12, 5, 10), local(2026, 12, 6, 18)) == 0


def test_working_minutes_across_the_new_year_holidays() -> None:
    cal = WorkCalendar(MSK)
    # 30 December 2026, 17:00: one hour that day; 31 December to 11 January are days off
    # (the holidays, 9 January moved from 3 January, 31 December from 4 January, a weekend).
    start = local(2026, 12, 30, 17, 0)
    due = cal.add_working_minutes(start, 2 * 60)
    assert due.astimezone(MSK) == local(2027, 1, 11, 10, 0)
    assert due.tzinfo == UTC


def test_working_days() -> None:
    cal = WorkCalendar(MSK)
    assert cal.previous_working_day(date(2026, 5, 11)) == date(2026, 5, 8)
    assert cal.next_working_day(date(2026, 5, 8)) == date(2026, 5, 12)  # 9–11 May are days off
    assert cal.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)
    assert cal.end_of_working_day(date(2026, 12, 4)).astimezone(MSK) == local(2026, 12, 4, 18, 0)
