"""A calendar month in the organisation's zone as UTC bounds, and which appeals a month reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from services.errors import InvalidInput

FIRST_YEAR = 2000


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_bounds(year: int, month: int, tz: ZoneInfo) -> Month:
    if not (isinstance(year, int) and isinstance(month, int)) or not 1 <= month <= 12:
        raise InvalidInput("Choose a month.")
    if not FIRST_YEAR <= year <= 9998:
        raise InvalidInput("Choose a month.")
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(following, time(0), tzinfo=tz).astimezone(UTC)
    return Month(year, month, start, end)


def previous_month(now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    today = now.astimezone(tz).date()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def local_day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


def aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
