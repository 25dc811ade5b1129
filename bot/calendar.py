"""Deadline picking: quick picks, an inline month calendar, time slots and typed dates.

The widget is owned by a flow through ``scope`` (``new`` for creation; an extension request can use
its own), so each flow filters only its presses: ``CalendarCallback.filter(F.scope == "new")``.
Everything works in the caller's local time (``now`` carries the configured zone); callers store UTC.
Presses are never trusted: :func:`picked_moment` rebuilds and validates the date from the numbers.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_

MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
WEEKDAYS = (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su"))
TIME_SLOTS = (time(9, 0), time(12, 0), time(15, 0), time(18, 0))
END_OF_DAY = time(18, 0)
MAX_MONTHS_AHEAD = 24
PAST_DAY = "·"
BLANK = " "

# Telegram refuses callback_data longer than 64 bytes; every button here stays far below.
CALLBACK_LIMIT = 64


class Act:
    QUICK = "q"  # d = days from today, hm = time (buttons sent before the quick picks became TIME presses)
    NAV = "nav"  # show month y/m
    DAY = "day"  # a day was picked: show time slots
    TIME = "time"  # y/m/d hm: the final choice
    PAST = "past"  # a disabled (past) day or time
    NOOP = "noop"  # headers and blank cells


class CalendarCallback(CallbackData, prefix="cal"):
    scope: str
    act: str
    y: int = 0
    m: int = 0
    d: int = 0
    hm: int = 0  # hours * 100 + minutes


def month_grid(year: int, month: int) -> list[list[int]]:
    """Weeks from Monday; 0 marks cells outside the month."""
    return calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _months_from(now: datetime, year: int, month: int) -> int:
    return (year - now.year) * 12 + (month - now.month)


def _hm(moment: time) -> int:
    return moment.hour * 100 + moment.minute


def _button(text: str, data: CalendarCallback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def weekdays_off(day: date) -> bool:
    """The default of a caller without a production calendar: Monday to Friday are working days."""
    return day.weekday() < 5


def _short(day: date) -> str:
    return f"{_(WEEKDAYS[day.weekday()])} {day:%d.%m}"


def quick_picks(now: datetime, working: Callable[[date], bool] = weekdays_off) -> list[tuple[str, date]]:
    """(label, day) of the quick buttons, each at 18:00 and on a working day (``working``: the
    production calendar's test): today while 18:00 is ahead, the next working day, the third and the
    fifth working day on. A deadline offered on a Saturday or a holiday would be met by nobody."""
    today = now.date()

    def after(day: date, count: int) -> date:
        for _step in range(count):
            day += timedelta(days=1)
            for _guard in range(60):  # no calendar has two months off in a row
                if working(day):
                    break
                day += timedelta(days=1)
        return day

    first, third, fifth = after(today, 1), after(today, 3), after(today, 5)
    first_label = _("Tomorrow 18:00") if first == today + timedelta(days=1) else f"{_short(first)} 18:00"
    picks = [
        (first_label, first),
        (_("In 3 working days (%(day)s)") % {"day": _short(third)}, third),
        (_("In a working week (%(day)s)") % {"day": _short(fifth)}, fifth),
    ]
    if now.time() < END_OF_DAY and working(today):
        picks.insert(0, (_("Today 18:00"), today))
    return picks


def calendar_markup(
    scope: str,
    now: datetime,
    year: int | None = None,
    month: int | None = None,
    *,
    quick: bool = True,
    working: Callable[[date], bool] = weekdays_off,
) -> InlineKeyboardMarkup:
    """The month's grid with the quick picks on top (working days by ``working``); a quick pick is
    a press of its own day and time, so it means the same day whenever it is pressed."""
    year, month = (year or now.year), (month or now.month)
    # Out-of-range months (a forged or very old press) fall back to the current one.
    if not 0 <= _months_from(now, year, month) <= MAX_MONTHS_AHEAD:
        year, month = now.year, now.month
    noop = CalendarCallback(scope=scope, act=Act.NOOP)
    rows: list[list[InlineKeyboardButton]] = []
    if quick:
        picks = [
            _button(
                label,
                CalendarCallback(
                    scope=scope, act=Act.TIME, y=day.year, m=day.month, d=day.day, hm=_hm(END_OF_DAY)
                ),
            )
            for label, day in quick_picks(now, working)
        ]
        rows += [picks[i : i + 2] for i in range(0, len(picks), 2)]
    prev_y, prev_m = shift_month(year, month, -1)
    next_y, next_m = shift_month(year, month, 1)
    offset = _months_from(now, year, month)
    rows.append(
        [
            _button("‹", CalendarCallback(scope=scope, act=Act.NAV, y=prev_y, m=prev_m))
            if offset > 0
            else _button(BLANK, noop),
            _button(f"{_(MONTHS[month - 1])} {year}", noop),
            _button("›", CalendarCallback(scope=scope, act=Act.NAV, y=next_y, m=next_m))
            if offset < MAX_MONTHS_AHEAD
            else _button(BLANK, noop),
        ]
    )
    rows.append([_button(_(name), noop) for name in WEEKDAYS])
    today = now.date()
    for week in month_grid(year, month):
        row = []
        for day in week:
            if day == 0:
                row.append(_button(BLANK, noop))
            elif date(year, month, day) < today:
                row.append(_button(PAST_DAY, CalendarCallback(scope=scope, act=Act.PAST)))
            else:
                row.append(
                    _button(str(day), CalendarCallback(scope=scope, act=Act.DAY, y=year, m=month, d=day))
                )
        rows.append(row)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def time_markup(scope: str, day: date, now: datetime) -> InlineKeyboardMarkup:
    """Time slots of ``day`` (the ones already past are disabled) and a way back to the month."""
    slots = []
    for slot in TIME_SLOTS:
        label = slot.strftime("%H:%M")
        if datetime.combine(day, slot, tzinfo=now.tzinfo) <= now:
            slots.append(_button(PAST_DAY + label, CalendarCallback(scope=scope, act=Act.PAST)))
        else:
            data = CalendarCallback(
                scope=scope, act=Act.TIME, y=day.year, m=day.month, d=day.day, hm=_hm(slot)
            )
            slots.append(_button(label, data))
    back = _button(
        _("‹ Back to the calendar"), CalendarCallback(scope=scope, act=Act.NAV, y=day.year, m=day.month)
    )
    return InlineKeyboardMarkup(inline_keyboard=[slots[:2], slots[2:], [back]])


def picked_day(data: CalendarCallback) -> date | None:
    try:
        return date(data.y, data.m, data.d)
    except ValueError:
        return None


def _clock(hm: int) -> time | None:
    hours, minutes = divmod(hm, 100)
    return time(hours, minutes) if 0 <= hours < 24 and 0 <= minutes < 60 else None


def picked_moment(data: CalendarCallback, now: datetime) -> datetime | None:
    """The local moment a QUICK or TIME press stands for; None if the numbers make no sense."""
    clock = _clock(data.hm)
    if clock is None:
        return None
    if data.act == Act.QUICK:
        if not 0 <= data.d <= 366:
            return None
        day: date | None = now.date() + timedelta(days=data.d)
    elif data.act == Act.TIME:
        day = picked_day(data)
    else:
        return None
    return datetime.combine(day, clock, tzinfo=now.tzinfo) if day is not None else None


_TYPED = re.compile(
    r"^\s*(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?"
    r"(?:\s+|\s*[,T]\s*)(?P<H>\d{1,2})[:.](?P<M>\d{2})\s*$"
)


def parse_typed(text: str, now: datetime) -> datetime | None:
    """«дд.мм.гггг чч:мм» or «дд.мм чч:мм» in ``now``'s zone; None if it is not a real date and time.

    Without a year the current one is meant, or the next one for a month already behind us
    (in December «15.01 10:00» is next January). The caller refuses moments in the past.
    """
    match = _TYPED.match(text)
    if match is None:
        return None
    year = match["y"]
    if year is None:
        year_num = now.year + (1 if int(match["m"]) < now.month else 0)
    else:
        year_num = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return datetime(
            year_num, int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"]), tzinfo=now.tzinfo
        )
    except ValueError:
        return None
