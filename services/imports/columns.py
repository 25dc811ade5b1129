"""Columns of an import kind: found by header (Russian or English, any order), read cell by cell.

A cell that cannot be read raises :class:`Rejected` with a msgid; the row is reported, never the
whole import stopped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from porucheno.i18n import gettext as translate  # not extracted: the titles are msgids already
from services.addresses.normalize import fold
from services.addresses.tables import CellValue
from services.errors import InvalidInput
from services.notify import N_

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d.%m.%y",
)


class Rejected(Exception):
    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params


def header_key(text: str) -> str:
    return re.sub(r"[\s.\-/_№#]+", " ", fold(text).strip()).strip()


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # also the English header of the template
    title: str  # msgid: the header the template shows (translated)
    aliases: tuple[str, ...] = ()  # other headers accepted, Russian and English
    required: bool = False  # the table must have the column and the row a value
    example: str = ""


def map_columns(header: Sequence[str], columns: Sequence[Column]) -> dict[str, int]:
    """Header cell index of each known column: its key, aliases and template title (en or ru)."""
    accepted: dict[str, str] = {}
    for column in columns:
        for alias in (column.key, *column.aliases, column.title, translate("ru", column.title)):
            accepted.setdefault(header_key(alias), column.key)
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = accepted.get(header_key(str(title)))
        if key and key not in found:
            found[key] = index
    missing = [c for c in columns if c.required and c.key not in found]
    if missing:
        # Named as the templates name them, in both languages (the message itself is translated).
        names = ", ".join(f"«{translate('ru', c.title)}» ({c.title})" for c in missing)
        raise InvalidInput("The table has no column %(columns)s.", columns=names)
    return found


def text(cell: CellValue, *, limit: int | None = None, name: str = "") -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        value = str(int(cell))  # Excel stores «5» as 5.0
    elif isinstance(cell, datetime | date):
        value = cell.isoformat(sep=" ") if isinstance(cell, datetime) else cell.isoformat()
    else:
        value = " ".join(str(cell).split())
    if limit is not None and len(value) > limit:
        raise Rejected(
            N_('The value in "%(column)s" is longer than %(limit)d characters.'), column=name, limit=limit
        )
    return value


def long_text(cell: CellValue, *, limit: int = 20_000) -> str:
    """Multi-line text (an appeal's letter): line breaks kept, ends trimmed."""
    if cell is None:
        return ""
    value = str(cell).replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise Rejected(N_("The text is longer than %(limit)d characters."), limit=limit)
    return value


def required(value: str, name: str) -> str:
    if not value:
        raise Rejected(N_('The "%(column)s" cell is empty.'), column=name)
    return value


def email(cell: CellValue) -> str | None:
    value = text(cell, limit=255, name="email").lower()
    if not value:
        return None
    if not _EMAIL.match(value):
        raise Rejected(N_('"%(value)s" is not an e-mail address.'), value=value)
    return value


def moment(cell: CellValue, tz: ZoneInfo, name: str) -> datetime | None:
    """A date or date-time cell read as local wall-clock time in ``tz``, returned in UTC."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime):
        naive = cell.replace(tzinfo=None)
    elif isinstance(cell, date):
        naive = datetime.combine(cell, time(0, 0))
    elif isinstance(cell, int | float) and not isinstance(cell, bool):
        raise Rejected(N_('Cannot read the date "%(value)s" in "%(column)s".'), value=cell, column=name)
    else:
        raw = " ".join(str(cell).split())
        for fmt in _DATE_FORMATS:
            try:
                naive = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
        else:
            raise Rejected(N_('Cannot read the date "%(value)s" in "%(column)s".'), value=raw, column=name)
    if not 1900 <= naive.year <= 2100:
        raise Rejected(N_('Cannot read the date "%(value)s" in "%(column)s".'), value=str(cell), column=name)
    return naive.replace(tzinfo=tz).astimezone(UTC)


def choice(cell: CellValue, options: dict[str, str], name: str) -> str | None:
    """A code picked by any of its spellings (``options`` maps folded spelling -> code)."""
    value = text(cell)
    if not value:
        return None
    code = options.get(header_key(value))
    if code is None:
        raise Rejected(N_('Unknown value "%(value)s" in "%(column)s".'), value=value, column=name)
    return code


def spellings(table: dict[str, Sequence[str]]) -> dict[str, str]:
    return {header_key(alias): code for code, aliases in table.items() for alias in (code, *aliases)}


def number_text(cell: CellValue) -> str:
    if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer():
        return str(int(cell))
    return text(cell)
