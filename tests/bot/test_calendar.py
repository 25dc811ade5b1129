"""The deadline widget without Telegram: month grid, navigation, disabled past days, typed dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot.calendar import (
    CALLBACK_LIMIT,
    MAX_MONTHS_AHEAD,
    PAST_DAY,
    Act,
    CalendarCallback,
    calendar_markup,
    month_grid,
    parse_typed,
    picked_moment,
    shift_month,
    time_markup,
)
from bot.i18n import CatalogI18n
from bot.pickers import PickAct, PickCallback

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 23, 12, 30, tzinfo=MSK)  # a Monday


@pytest.fixture(autouse=True)
def russian() -> Iterator[None]:
    i18n = CatalogI18n(default_locale="ru")
    with i18n.context(), i18n.use_locale("ru"):
        yield


def _buttons(markup: InlineKeyboardMarkup) -> list[tuple[str, CalendarCallback]]:
    return [
        (b.text, CalendarCallback.unpack(b.callback_data or ""))
        for row in markup.inline_keyboard
        for b in row
    ]


def _days(markup: InlineKeyboardMarkup) -> dict[str, CalendarCallback]:
    return {text: data for text, data in _buttons(markup) if data.act == Act.DAY}


def test_month_grid_starts_on_monday() -> None:
    grid = month_grid(2026, 11)
    assert grid[0] == [0, 0, 0, 0, 0, 0, 1]  # 1 November 2026 is a Sunday
    assert grid[-1] == [30, 0, 0, 0, 0, 0, 0]
    assert all(len(week) == 7 for week in grid)
    assert [d for week in month_grid(2028, 2) for d in week if d][-1] == 29  # leap year


def test_shift_month_crosses_years() -> None:
    assert shift_month(2026, 12, 1) == (2027, 1)
    assert shift_month(2027, 1, -1) == (2026, 12)
    assert shift_month(2026, 11, 14) == (2028, 1)


def test_current_month_disables_past_days_and_going_back() -> None:
    markup = calendar_markup("new", NOW)
    texts = [t for t, _ in _buttons(markup)]
    assert texts[:4] == [
        "Сегодня 18:00",
        "Завтра 18:00",
        "Через 3 рабочих дня (Чт 26.11)",
        "Через рабочую неделю (Пн 30.11)",
    ]
    quick = [
        data for _t, data in _buttons(markup)[:4]
    ]  # presses of their own day: the same when pressed later
    assert [(q.act, q.d, q.hm) for q in quick] == [(Act.TIME, d, 1800) for d in (23, 24, 26, 30)]
    assert "Ноябрь 2026" in texts
    assert texts[texts.index("Ноябрь 2026") + 2 : texts.index("Ноябрь 2026") + 9] == [
        "Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс",
    ]  # fmt: skip
    days = _days(markup)
    assert min(int(d) for d in days) == 23 and "30" in days  # today is still selectable
    assert texts.count(PAST_DAY) == 22
    past = [data for text, data in _buttons(markup) if text == PAST_DAY]
    assert {data.act for data in past} == {Act.PAST}
    nav = [data for _t, data in _buttons(markup) if data.act == Act.NAV]
    assert [(n.y, n.m) for n in nav] == [(2026, 12)]  # no way back to the past


def test_navigation_forward_and_back() -> None:
    december = calendar_markup("new", NOW, 2026, 12, quick=False)
    texts = [t for t, _ in _buttons(december)]
    assert texts[1] == "Декабрь 2026"
    assert len(_days(december)) == 31 and PAST_DAY not in texts
    nav = [(n.y, n.m) for _t, n in _buttons(december) if n.act == Act.NAV]
    assert nav == [(2026, 11), (2027, 1)]
    # The last month has no «next»; a forged month outside the window shows the current one.
    last = calendar_markup("new", NOW, *shift_month(2026, 11, MAX_MONTHS_AHEAD), quick=False)
    assert [n.m for _t, n in _buttons(last) if n.act == Act.NAV] == [10]
    assert _buttons(calendar_markup("new", NOW, 2025, 1, quick=False))[1][0] == "Ноябрь 2026"


def test_quick_picks_fall_on_working_days() -> None:
    """Friday evening: the next working day is Monday; a holiday on the calendar is skipped too."""
    friday = datetime(2026, 11, 27, 19, 0, tzinfo=MSK)
    texts = [t for t, _ in _buttons(calendar_markup("new", friday))][:3]
    assert texts == ["Пн 30.11 18:00", "Через 3 рабочих дня (Ср 02.12)", "Через рабочую неделю (Пт 04.12)"]
    holiday = date(2026, 12, 2)
    working = [
        t
        for t, _ in _buttons(
            calendar_markup("new", friday, working=lambda d: d.weekday() < 5 and d != holiday)
        )
    ][:3]
    assert working == ["Пн 30.11 18:00", "Через 3 рабочих дня (Чт 03.12)", "Через рабочую неделю (Пн 07.12)"]
    saturday_morning = datetime(2026, 11, 28, 9, 0, tzinfo=MSK)
    assert "Сегодня 18:00" not in [t for t, _ in _buttons(calendar_markup("new", saturday_morning))]


def test_today_quick_pick_disappears_after_six_pm() -> None:
    late = datetime(2026, 11, 23, 18, 5, tzinfo=MSK)
    texts = [t for t, _ in _buttons(calendar_markup("new", late))]
    assert "Сегодня 18:00" not in texts and "Завтра 18:00" in texts


def test_time_slots_of_today_disable_the_past() -> None:
    texts = [(t, d.act) for t, d in _buttons(time_markup("new", NOW.date(), NOW))]
    assert texts[:4] == [
        (PAST_DAY + "09:00", Act.PAST),
        (PAST_DAY + "12:00", Act.PAST),
        ("15:00", Act.TIME),
        ("18:00", Act.TIME),
    ]
    assert texts[4] == ("‹ Назад к календарю", Act.NAV)


def test_presses_resolve_to_local_moments() -> None:
    quick = CalendarCallback(scope="new", act=Act.QUICK, d=3, hm=1800)
    assert picked_moment(quick, NOW) == datetime(2026, 11, 26, 18, 0, tzinfo=MSK)
    chosen = CalendarCallback(scope="new", act=Act.TIME, y=2027, m=1, d=15, hm=930)
    assert picked_moment(chosen, NOW) == datetime(2027, 1, 15, 9, 30, tzinfo=MSK)
    # Forged numbers are refused, not crashed on.
    assert picked_moment(CalendarCallback(scope="new", act=Act.TIME, y=2027, m=2, d=30, hm=900), NOW) is None
    assert picked_moment(CalendarCallback(scope="new", act=Act.TIME, y=2027, m=1, d=1, hm=2561), NOW) is None
    assert picked_moment(CalendarCallback(scope="new", act=Act.NAV, y=2027, m=1), NOW) is None


def test_every_callback_fits_telegram_limit() -> None:
    far = shift_month(NOW.year, NOW.month, MAX_MONTHS_AHEAD)
    markups = [
        calendar_markup("new", NOW),
        calendar_markup("ext", NOW, *far),
        time_markup("new", date(2028, 12, 31), NOW),
    ]
    for markup in markups:
        for row in markup.inline_keyboard:
            for button in row:
                assert len((button.callback_data or "").encode()) <= CALLBACK_LIMIT
    big = PickCallback(scope="new", act=PickAct.DEPT, id=9_223_372_036_854_775_807, page=999).pack()
    assert len(big.encode()) <= CALLBACK_LIMIT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.12.2026 18:00", datetime(2026, 12, 25, 18, 0, tzinfo=MSK)),
        ("5.1.2027 9:05", datetime(2027, 1, 5, 9, 5, tzinfo=MSK)),
        (" 25.12.26 18.00 ", datetime(2026, 12, 25, 18, 0, tzinfo=MSK)),
        ("25/12/2026, 18:00", datetime(2026, 12, 25, 18, 0, tzinfo=MSK)),
        ("25.12 18:00", datetime(2026, 12, 25, 18, 0, tzinfo=MSK)),
        ("20.11 10:00", datetime(2026, 11, 20, 10, 0, tzinfo=MSK)),  # this month: past, refused later
        ("15.01 10:00", datetime(2027, 1, 15, 10, 0, tzinfo=MSK)),  # an earlier month means next year
    ],
)
def test_typed_dates(text: str, expected: datetime) -> None:
    assert parse_typed(text, NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["", "завтра", "25.12.2026", "18:00", "31.02.2027 10:00", "25.13 10:00", "25.12 24:00", "1.1.1 1:00"],
)
def test_typed_nonsense_is_refused(text: str) -> None:
    assert parse_typed(text, NOW) is None
