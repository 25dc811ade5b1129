"""Numbers as people read them, one way everywhere: the panel's pages, its exports and the reports.

Babel writes the locale's separators, so Russian shows «3,2», «0,0», «12 345» and «83 %» while
English shows "3.2", "0.0", "12,345" and "83%". A fixed count of decimals keeps a column even: a zero
average is «0,0», not "0" beside «3,2». Nothing here knows about the web or the bot.
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

NOTHING = "—"  # no value (no assignment done yet, say): a dash, never "None" or "0"


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def format_number(value: float | int | None, locale: str, digits: int = 1) -> str:
    """``value`` with exactly ``digits`` decimals and the locale's separators."""
    if value is None:
        return NOTHING
    return format_decimal(value, format=_pattern(digits), locale=locale)


def format_count(value: int | None, locale: str) -> str:
    """A whole number with the locale's thousands separator («12 345»)."""
    return format_number(value, locale, digits=0)


def format_share(rate: float | None, locale: str) -> str:
    """A share 0..1 as a whole percentage («83 %»)."""
    if rate is None:
        return NOTHING
    return format_percent(rate, locale=locale)  # the locale's own pattern: «83 %», "83%"


def hours_to_days(hours: float | None) -> float | None:
    """Durations are kept in hours; people plan in days."""
    return None if hours is None else hours / 24


def format_days(hours: float | None, locale: str, digits: int = 1) -> str:
    """A duration kept in hours, shown in days with ``digits`` decimals («4,5»)."""
    return format_number(hours_to_days(hours), locale, digits)


def format_decimal_cell(value: float, locale: str) -> str:
    """A fractional figure in a CSV export: the reader's decimal comma, one or two decimals and no
    thousands separator, so a spreadsheet in that language reads it back as a number («1234,5»)."""
    return format_decimal(value, format="0.0#", locale=locale)
