"""Quick picks and new deadlines (issue #12, item 5) and the field card's album split, as rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from models.enums import CalendarDayKind
from services.assignments.deadline_rules import check_new_deadline, quick_pick
from services.assignments.field import albums, is_photo
from services.errors import InvalidInput
from services.work_calendar.clock import DayRule, WorkCalendar

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # 12:30 in Moscow


CALENDAR = WorkCalendar(tz=MSK)  # the default week and the law's holidays


def test_picks_count_working_days_from_a_deadline_still_ahead() -> None:
    ahead = NOW + timedelta(days=2)  # Sunday 6 December, 12:30 in Moscow
    picked = quick_pick(ahead, 3, now=NOW, calendar=CALENDAR).astimezone(MSK)
    assert (picked.date().isoformat(), picked.hour, picked.minute) == ("2026-12-09", 12, 30)


def test_one_working_day_from_friday_is_monday_and_holidays_are_skipped() -> None:
    friday = datetime(2026, 12, 11, 10, 26, tzinfo=MSK)
    assert quick_pick(friday, 1, now=NOW, calendar=CALENDAR) == datetime(2026, 12, 14, 10, 26, tzinfo=MSK)
    # The organisation's own day off on that Monday moves it on to Tuesday.
    own = WorkCalendar(tz=MSK, rules={date(2026, 12, 14): DayRule(CalendarDayKind.DAY_OFF)})
    assert quick_pick(friday, 1, now=NOW, calendar=own) == datetime(2026, 12, 15, 10, 26, tzinfo=MSK)
    # 31 December 2026 and the New Year holidays are days off by the law.
    eve = datetime(2026, 12, 30, 18, 0, tzinfo=MSK)
    assert quick_pick(eve, 1, now=NOW, calendar=CALENDAR) == datetime(2027, 1, 11, 18, 0, tzinfo=MSK)


def test_picks_of_an_overdue_assignment_count_from_today_at_its_hour() -> None:
    missed = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 18:00 in Moscow, two weeks ago
    picked = quick_pick(missed, 1, now=NOW, calendar=CALENDAR).astimezone(MSK)  # today is a Friday
    assert (picked.date().isoformat(), picked.hour, picked.minute) == ("2026-12-07", 18, 0)
    assert (
        quick_pick(missed, 5, now=NOW, calendar=CALENDAR).astimezone(MSK).date().isoformat() == "2026-12-11"
    )


def test_a_new_deadline_must_be_ahead_and_later() -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        check_new_deadline(NOW - timedelta(minutes=1), current=None, now=NOW)
    with pytest.raises(InvalidInput, match="later than the current"):
        check_new_deadline(NOW + timedelta(days=1), current=NOW + timedelta(days=2), now=NOW)
    check_new_deadline(NOW + timedelta(days=3), current=NOW - timedelta(days=2), now=NOW)


def test_albums_hold_ten_photos_and_big_photos_go_as_documents() -> None:
    photos = [SimpleNamespace(id=i, mime_type="image/jpeg", size=1000) for i in range(23)]
    assert [len(chunk) for chunk in albums(photos)] == [10, 10, 3]  # type: ignore[arg-type]
    assert not is_photo(SimpleNamespace(mime_type="image/jpeg", size=11 * 1024 * 1024))  # type: ignore[arg-type]
    assert not is_photo(SimpleNamespace(mime_type="application/pdf", size=10))  # type: ignore[arg-type]
