"""What a dispatcher types for a moment: «14:30», «24.11 9:00», «24.11.2026 09:00».

The time received and the time of an action are always in the past, so a bare «23:50» typed just
after midnight means yesterday; an expected end is ahead, so «08:00» typed at night means tomorrow.
Pure functions (no database, no aiogram).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_CLOCK = r"(?P<H>\d{1,2})[:.](?P<M>\d{2})"
_MOMENT = r"(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})(?:\.(?P<y>\d{4}|\d{2}))?\s+)?" + _CLOCK
_WHOLE = re.compile(r"^\s*" + _MOMENT + r"\s*$")
_LEADING = re.compile(r"^\s*" + _MOMENT + r"(?:\s+|\s*[-–—,:]\s*)(?P<rest>\S.*)$", re.DOTALL)
# A few minutes ahead is a clock skew, not tomorrow.
SKEW = timedelta(minutes=5)
OLDEST = timedelta(days=366)


def _moment(match: re.Match[str], now: datetime, *, future: bool = False) -> datetime | None:
    hours, minutes = int(match["H"]), int(match["M"])
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    try:
        if match["d"] is None:
            moment = now.replace(hour=hours, minute=minutes, second=0, microsecond=0)
            if future:
                return moment + timedelta(days=1) if moment <= now else moment  # «08:00» typed at 22:00
            return moment - timedelta(days=1) if moment > now + SKEW else moment
        year = now.year if match["y"] is None else int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
        moment = now.replace(
            year=year, month=int(match["m"]), day=int(match["d"]), hour=hours, minute=minutes, second=0
        ).replace(microsecond=0)
        if match["y"] is None and future and moment <= now:
            moment = moment.replace(year=now.year + 1)  # «10.01 10:00» typed in December
        elif match["y"] is None and not future and moment > now + SKEW:
            moment = moment.replace(year=now.year - 1)  # «28.12 10:00» typed in January
    except ValueError:  # «31.02», «29.02» of a common year
        return None
    return moment if now - OLDEST <= moment <= now + OLDEST else None


def parse_past(text: str, now: datetime) -> datetime | None:
    """The local moment typed (``now``'s zone), or None when the text is not one."""
    match = _WHOLE.match(text)
    return _moment(match, now) if match else None


def parse_future(text: str, now: datetime) -> datetime | None:
    """As :func:`parse_past`, for a moment ahead (an expected end): a bare «08:00» is the next one."""
    match = _WHOLE.match(text)
    return _moment(match, now, future=True) if match else None


def leading_moment(text: str, now: datetime) -> tuple[datetime | None, str]:
    """«14:30 Бригада на месте» → (14:30 today, «Бригада на месте»); no time first → (None, text)."""
    match = _LEADING.match(text)
    if match is None:
        return None, text.strip()
    moment = _moment(match, now)
    return (moment, match["rest"].strip()) if moment is not None else (None, text.strip())
