"""When the organisation expects to restore: quick picks and typed local moments.

Pure functions (no database, no aiogram): local times in, local times out; the caller converts
to UTC. A bare «14:30» is the next 14:30 (an estimate is always ahead).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from services.notify import Translator

HOURS = (1, 2, 4)
TODAY_BY = 18  # «Today by 18:00», offered until an hour before
TOMORROW_BY = 9  # offered instead in the evening
MAX_AHEAD = timedelta(days=366)  # further than this is taken for a typo

_CLOCK = r"(?P<H>\d{1,2})[:.](?P<M>\d{2})"
_DAY_WORDS = {"сегодня": 0, "today": 0, "завтра": 1, "tomorrow": 1, "послезавтра": 2}
_TIME = re.compile(r"^(?:(?P<word>[a-zа-яё]+)\s*,?\s*)?(?:в\s+|at\s+)?" + _CLOCK + r"$")
_DATE_TIME = re.compile(
    r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?\.?[\s,]+" + _CLOCK + r"$"
)


def pick_codes(now: datetime) -> list[str]:
    day = f"t{TODAY_BY}" if now.hour < TODAY_BY - 1 else f"n{TOMORROW_BY}"
    return [f"h{h}" for h in HOURS] + [day]


def pick_label(code: str, t: Translator) -> str:
    if code.startswith("h"):
        return t("+%(n)s h", n=code[1:])
    at = f"{int(code[1:]):02d}:00"  # outside the call: Babel's extractor warns on an f-string in one
    if code.startswith("t"):
        return t("Today by %(time)s", time=at)
    return t("Tomorrow by %(time)s", time=at)


def resolve(code: str, now: datetime) -> datetime | None:
    """The local moment a pick stands for at press time; None for a code no button carries or a
    pick gone stale (an old «Today by 18:00» pressed at night)."""
    now = now.replace(second=0, microsecond=0)
    if code.startswith("h") and code[1:].isdigit() and int(code[1:]) in HOURS:
        return now + timedelta(hours=int(code[1:]))
    if code == f"t{TODAY_BY}":
        moment = now.replace(hour=TODAY_BY, minute=0)
        return moment if moment > now else None
    if code == f"n{TOMORROW_BY}":
        return (now + timedelta(days=1)).replace(hour=TOMORROW_BY, minute=0)
    return None


def _at(day: datetime, hours: int, minutes: int) -> datetime | None:
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    return day.replace(hour=hours, minute=minutes, second=0, microsecond=0)


def parse_moment(text: str, now: datetime) -> datetime | None:
    """«14:30» (the next 14:30), «завтра 9:00», «05.12 14:30» (this year, or next if already past),
    «05.12.2026 14:30»; None when the text is none of these."""
    cleaned = " ".join(text.lower().replace("ё", "е").split()).rstrip(".")
    match = _TIME.match(cleaned)
    if match is not None:
        word = match["word"]
        if word is not None and word not in _DAY_WORDS:
            return None
        moment = _at(now + timedelta(days=_DAY_WORDS.get(word or "", 0)), int(match["H"]), int(match["M"]))
        if moment is not None and word is None and moment <= now:
            moment += timedelta(days=1)
        return moment
    match = _DATE_TIME.match(cleaned)
    if match is None:
        return None
    years = (
        [int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)] if match["y"] else [now.year, now.year + 1]
    )
    for year in years:
        try:
            day = datetime(year, int(match["m"]), int(match["d"]), tzinfo=now.tzinfo)
        except ValueError:
            return None
        moment = _at(day, int(match["H"]), int(match["M"]))
        if moment is None:
            return None
        if moment > now or year == years[-1]:
            return moment
    return None


def problem(moment: datetime, now: datetime, t: Translator) -> str | None:
    """Why a moment cannot be the expected restoration, or None."""
    if moment <= now:
        return t("The expected restoration time must be in the future.")
    if moment - now > MAX_AHEAD:
        return t("%(when)s is too far from today. Check the date.", when=moment.strftime("%d.%m.%Y %H:%M"))
    return None
