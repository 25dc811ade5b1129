"""Panel locale: chosen per request from a cookie, applied through a context variable.

Each aiohttp request runs in its own task, so a ``ContextVar`` gives every request its own language
while the Jinja environment (and its installed ``gettext``) stays shared.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_datetime

from porucheno import numbers
from porucheno.i18n import DEFAULT_LOCALE, get_translations
from porucheno.settings import SUPPORTED_LOCALES

LOCALE_COOKIE = "porucheno_lang"
LOCALE_NAMES = {"ru": "Русский", "en": "English"}

current_locale: ContextVar[str] = ContextVar("porucheno_web_locale", default=DEFAULT_LOCALE)


def pick_locale(cookie_value: str | None, default: str) -> str:
    return cookie_value if cookie_value in SUPPORTED_LOCALES else default


def gettext(message: str, **params: Any) -> str:
    text = get_translations(current_locale.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = get_translations(current_locale.get()).ngettext(singular, plural, n)
    return text % ({"num": n} | params)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def translate_error(message: str, params: dict[str, Any]) -> str:
    """Translate a :class:`services.errors.DomainError` message id with its placeholders."""
    text = get_translations(current_locale.get()).gettext(message)
    values = {k: v for k, v in params.items() if k != "field"}
    return text % values if values else text


def format_dt(value: datetime | None, tz: Any) -> str:
    """A UTC datetime shown in the configured zone, e.g. ``26 ноября 2025, 14:00``."""
    if value is None:
        return ""
    return format_datetime(value, "d MMMM y, HH:mm", tzinfo=tz, locale=current_locale.get())


def month_name(value: str) -> str:
    """A month kept as ``2026-11`` shown in the panel's language: «ноябрь 2026», "November 2026"
    (anything else is shown as it is)."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        first = date(year, month, 1)
    except ValueError:
        return str(value)
    return format_date(first, "LLLL y", locale=current_locale.get())


def jinja_gettext(message: str) -> str:
    return get_translations(current_locale.get()).gettext(message)


def jinja_ngettext(singular: str, plural: str, n: int) -> str:
    return get_translations(current_locale.get()).ngettext(singular, plural, n)


# Numbers in the panel's language (Jinja filters ``number``, ``count``, ``share``, ``days``):
# one formatter for the pages and the exports, see porucheno.numbers.
def number(value: float | int | None, digits: int = 1) -> str:
    return numbers.format_number(value, current_locale.get(), digits)


def count(value: int | None) -> str:
    return numbers.format_count(value, current_locale.get())


def share(rate: float | None) -> str:
    return numbers.format_share(rate, current_locale.get())


def days(hours: float | None, digits: int = 1) -> str:
    return numbers.format_days(hours, current_locale.get(), digits)
