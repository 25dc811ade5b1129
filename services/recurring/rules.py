"""RFC 5545 rules as the panel keeps them: validation, presets, a human description, occurrences
and the holiday policy on the working-day calendar. Pure: no database.

A rule is the RRULE text without DTSTART («FREQ=MONTHLY;BYMONTHDAY=5»); the start is the rule's own
``starts_on``. An occurrence is the rule's date; the scheduled day is where the holiday policy moves
it (the working day before or after, nowhere when skipped, or the same day when kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrule, rrulestr

from models.enums import HolidayPolicy
from services.errors import InvalidInput
from services.notify import N_
from services.work_calendar.clock import WorkCalendar

RULE_LIMIT = 255
# How far a holiday may move an occurrence back: the New Year holidays are the longest run of days off.
SHIFT_LOOKAHEAD = timedelta(days=31)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = (
    N_("on Mondays"),
    N_("on Tuesdays"),
    N_("on Wednesdays"),
    N_("on Thursdays"),
    N_("on Fridays"),
    N_("on Saturdays"),
    N_("on Sundays"),
)
POLICY_NAMES = {
    HolidayPolicy.PREVIOUS.value: N_("on the working day before"),
    HolidayPolicy.NEXT.value: N_("on the working day after"),
    HolidayPolicy.SKIP.value: N_("skipped"),
    HolidayPolicy.KEEP.value: N_("created anyway"),
}
PRESETS = {
    "monthly": N_("Monthly on day N"),
    "weekly": N_("Weekly on a weekday"),
    "workdays": N_("Every working day"),
    "quarterly": N_("Quarterly on day N"),
}


def preset_rule(kind: str, *, day: int = 1, weekday: str = "MO") -> tuple[str, str | None]:
    """The RRULE text of a preset, and the holiday policy it implies (None: the form's choice)."""
    if kind == "monthly":
        return f"FREQ=MONTHLY;BYMONTHDAY={_day(day)}", None
    if kind == "quarterly":
        return f"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY={_day(day)}", None
    if kind == "weekly":
        if weekday not in WEEKDAYS:
            raise InvalidInput("Unknown weekday.", field="weekday")
        return f"FREQ=WEEKLY;BYDAY={weekday}", None
    if kind == "workdays":
        # Every day, with the days off skipped: the calendar (decrees included) decides, not the week.
        return "FREQ=DAILY", HolidayPolicy.SKIP.value
    raise InvalidInput("Unknown repetition.", field="preset")


def _day(day: int) -> int:
    if not 1 <= day <= 31:
        raise InvalidInput("The day of the month must be between 1 and 31.", field="day")
    return day


def normalize(text: str) -> str:
    """The rule in a canonical spelling; refuses what dateutil cannot read or what never repeats."""
    text = (text or "").strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text or len(text) > RULE_LIMIT or "DTSTART" in text or "\n" in text:
        raise InvalidInput("This repetition rule is not valid.", field="rrule")
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not any(p.startswith("FREQ=") for p in parts):
        raise InvalidInput("This repetition rule is not valid.", field="rrule")
    text = ";".join(parts)
    try:
        parsed = _parse(text, date(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise InvalidInput("This repetition rule is not valid.", field="rrule") from exc
    if parsed._freq > 3:  # HOURLY and finer: the scheduler creates at most one assignment a day
        raise InvalidInput("An assignment can repeat at most once a day.", field="rrule")
    if parsed.after(datetime(2000, 1, 1), inc=True) is None:
        raise InvalidInput("This rule never happens.", field="rrule")
    return text


def _parse(text: str, start: date) -> rrule:
    result = rrulestr(text, dtstart=datetime.combine(start, time(0)))
    if not isinstance(result, rrule):
        raise ValueError("a rule set")
    return result


def occurrences(
    text: str, starts_on: date, first: date, last: date, until: date | None = None
) -> Iterator[date]:
    """The rule's own dates in ``[first, last]`` (and not after ``until``)."""
    if until is not None:
        last = min(last, until)
    if last < first:
        return
    parsed = _parse(text, starts_on)
    low = datetime.combine(max(first, starts_on), time(0))
    for moment in parsed.between(low, datetime.combine(last, time(0)), inc=True):
        yield moment.date()


def scheduled_day(occurrence: date, policy: str, calendar: WorkCalendar) -> date | None:
    """Where the holiday policy puts ``occurrence``; None: skipped."""
    if policy == HolidayPolicy.KEEP or calendar.is_working_day(occurrence):
        return occurrence
    if policy == HolidayPolicy.PREVIOUS:
        return calendar.previous_working_day(occurrence)
    if policy == HolidayPolicy.NEXT:
        return calendar.next_working_day(occurrence)
    return None


@dataclass(frozen=True, slots=True)
class Planned:
    occurrence: date
    scheduled: date | None


def plan(
    text: str,
    starts_on: date,
    until: date | None,
    policy: str,
    calendar: WorkCalendar,
    first: date,
    last: date,
) -> list[Planned]:
    """Occurrences whose scheduled day (or own day when skipped) falls in ``[first, last]``.

    An occurrence up to a month after ``last`` may be moved back into the window, so those are read too.
    """
    found = []
    for day in occurrences(text, starts_on, first, last + SHIFT_LOOKAHEAD, until):
        target = scheduled_day(day, policy, calendar)
        if (target or day) <= last:
            found.append(Planned(day, target))
    return found


def preview(
    text: str,
    starts_on: date,
    until: date | None,
    policy: str,
    calendar: WorkCalendar,
    today: date,
    count: int = 5,
) -> list[Planned]:
    """The next ``count`` dates from ``today`` on (skipped ones included, marked by ``scheduled=None``)."""
    found: list[Planned] = []
    first = max(today, starts_on)
    window = timedelta(days=62)
    start = first
    for _ in range(30):  # up to five years ahead for a yearly rule
        for item in plan(text, starts_on, until, policy, calendar, start, start + window):
            if item.occurrence >= start and (item.scheduled or item.occurrence) >= today:
                if all(f.occurrence != item.occurrence for f in found):
                    found.append(item)
            if len(found) >= count:
                return found
        start += window + timedelta(days=1)
        if until is not None and start > until:
            break
    return found


_FREQ = {
    "DAILY": N_("every day"),
    "WEEKLY": N_("weekly"),
    "MONTHLY": N_("monthly"),
    "YEARLY": N_("yearly"),
}
_FREQ_N = {
    "DAILY": N_("every %(n)d days"),
    "WEEKLY": N_("every %(n)d weeks"),
    "MONTHLY": N_("every %(n)d months"),
    "YEARLY": N_("every %(n)d years"),
}


def describe(text: str, t: Callable[..., str]) -> str:
    """«ежемесячно, 5-го числа» — the rule in words; anything unusual is shown as written."""
    try:
        fields = dict(p.split("=", 1) for p in normalize(text).split(";"))
    except (InvalidInput, ValueError):
        return text
    known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"}
    freq = fields.get("FREQ", "")
    if freq not in _FREQ or set(fields) - known:
        return text
    interval = int(fields.get("INTERVAL", "1") or 1)
    if freq == "MONTHLY" and interval == 3:
        parts = [t("quarterly")]
    elif interval > 1:
        parts = [t(_FREQ_N[freq], n=interval)]
    else:
        parts = [t(_FREQ[freq])]
    if "BYDAY" in fields:
        days = fields["BYDAY"].split(",")
        if all(d in WEEKDAYS for d in days):
            if days == list(WEEKDAYS[:5]):
                parts.append(t("on weekdays"))
            else:
                parts.extend(t(WEEKDAY_NAMES[WEEKDAYS.index(d)]) for d in days)
        else:
            return text
    if "BYMONTHDAY" in fields:
        for value in fields["BYMONTHDAY"].split(","):
            number = int(value)
            parts.append(t("on the last day") if number == -1 else t("on day %(n)d", n=number))
    if "BYMONTH" in fields:
        parts.append(t("in months %(months)s", months=fields["BYMONTH"]))
    return ", ".join(parts)
