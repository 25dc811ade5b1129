"""What a dispatcher types: local moments («14:30», «24.11 9:00») and houses on one street («1-15»).

Pure functions (no database, no aiogram), so the edge cases are unit-tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.addresses import parse_house
from services.addresses.normalize import fold

Parity = Literal["odd", "even"]

_NOW_WORDS = {"сейчас", "now"}
_DAY_WORDS = {"сегодня": 0, "today": 0, "завтра": 1, "tomorrow": 1, "вчера": -1, "yesterday": -1}
_CLOCK = r"(?P<H>\d{1,2}):(?P<M>\d{2})"
_TIME_ONLY = re.compile(r"^(?:(?P<word>[a-zа-я]+)\s*,?\s*)?" + _CLOCK + r"$")
_DATE_TIME = re.compile(
    r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?\.?(?:\s+|\s*[,T]\s*)" + _CLOCK + r"$"
)
# Typed moments further than this from now are taken for a typo («24.11.2062»).
MAX_DISTANCE = timedelta(days=366)


def _at(day: datetime, hours: int, minutes: int) -> datetime | None:
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    return day.replace(hour=hours, minute=minutes, second=0, microsecond=0)


def parse_moment(text: str, now: datetime, *, after: datetime | None = None) -> datetime | None:
    """A local moment in ``now``'s zone, or None when the text is not one.

    «сейчас»; «14:30» (today, or with ``after`` the first 14:30 after it: an end typed as «02:00»
    after a 22:00 start is the next night); «завтра 8:00»; «24.11 9:00» (the year that puts it
    nearest to now, so in January «28.12 10:00» is last December); «24.11.2026 09:00», «24.11.26 9:00».
    """
    cleaned = " ".join(fold(text).split()).rstrip(".")
    if cleaned in _NOW_WORDS:
        return now.replace(second=0, microsecond=0)
    match = _TIME_ONLY.match(cleaned)
    if match is not None:
        word, hours, minutes = match["word"], int(match["H"]), int(match["M"])
        if word is not None and word not in _DAY_WORDS:
            return None
        if word is None and after is not None:
            moment = _at(after, hours, minutes)
            return moment + timedelta(days=1) if moment is not None and moment <= after else moment
        return _at(now + timedelta(days=_DAY_WORDS.get(word or "", 0)), hours, minutes)
    match = _DATE_TIME.match(cleaned)
    if match is None:
        return None
    hours, minutes = int(match["H"]), int(match["M"])
    if match["y"] is not None:
        years = [int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)]
    else:
        years = [now.year - 1, now.year, now.year + 1]
    candidates = []
    for year in years:
        try:
            candidates.append(datetime(year, int(match["m"]), int(match["d"]), tzinfo=now.tzinfo))
        except ValueError:
            continue
    if not candidates:
        return None
    day = min(candidates, key=lambda c: abs(c - now))
    return _at(day, hours, minutes)


def too_far(moment: datetime, now: datetime) -> bool:
    return abs(moment - now) > MAX_DISTANCE


@dataclass(frozen=True, slots=True)
class HouseSpan:
    """Numbers ``first..last`` inclusive («9к1» counts as 9), optionally one side of the street."""

    first: int
    last: int
    parity: Parity | None = None

    def covers(self, number: int | None) -> bool:
        if number is None or not self.first <= number <= self.last:
            return False
        return self.parity is None or (number % 2 == 1) == (self.parity == "odd")


HouseSpec = HouseSpan | str  # a span, or one house key («9к1»)

_ODD = re.compile(r"^(?:нечет\w*|неч|odd)$")
_EVEN = re.compile(r"^(?:чет|четн\w*|even)$")
_SPAN = re.compile(r"^(?:с\s*)?(?P<first>\d{1,5})\s*(?:-|по|до)\s*(?P<last>\d{1,5})(?:\s+(?P<side>\S+))?$")
MAX_SPECS = 100


def _parity(word: str | None) -> Parity | Literal[False] | None:
    """The side a word names; False when it names none (the item is then not a span)."""
    if word is None:
        return None
    word = word.strip(".()")
    if _ODD.match(word):
        return "odd"
    if _EVEN.match(word):
        return "even"
    return False


def _spec(item: str) -> list[HouseSpec] | None:
    match = _SPAN.match(item)
    if match is not None:
        side = _parity(match["side"])
        if side is False:
            return None
        first, last = sorted((int(match["first"]), int(match["last"])))
        return [HouseSpan(first, last, side)]
    house = parse_house(item)
    if house is not None:
        return [house.key]
    # «5 7 9»: several houses separated by spaces only.
    keys = [parse_house(token) for token in item.split()]
    if len(keys) > 1 and all(keys):
        return [k.key for k in keys if k is not None]
    return None


def parse_houses(text: str) -> list[HouseSpec] | None:
    """«1-15», «2-20 чёт», «5, 7, 9к1», «с 1 по 9 нечётные; 12» → specs; None if any item is not one."""
    items = [i.strip() for i in re.split(r"[,;\n]+", fold(text)) if i.strip()]
    if not items or len(items) > MAX_SPECS:
        return None
    specs: list[HouseSpec] = []
    for item in items:
        found = _spec(" ".join(item.split()))
        if found is None:
            return None
        specs.extend(found)
    return specs


def spec_label(spec: HouseSpec) -> str:
    if isinstance(spec, str):
        return spec
    return f"{spec.first}-{spec.last}" + (f" ({spec.parity})" if spec.parity else "")
