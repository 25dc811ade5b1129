"""Quick picks for the start, the expected end and an extension, resolved at press time.

«+N h» counts from the base (now for the start, the start for an end, the current end for an
extension). The picks at a set hour count from the base too, except for the start: an end offered
as «tomorrow 08:00» from today could come before a start planned for tomorrow 09:00, so for an end
they are the first 08:00 and 18:00 after the base, labelled with their date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notify import N_, Translator

HOURS = (2, 4, 8, 24)
TOMORROW_AT = (8, 18)


@dataclass(frozen=True, slots=True)
class Pick:
    code: str
    label: str


def next_at(hour: int, after: datetime) -> datetime:
    """The first ``hour``:00 strictly after ``after`` (the same day or the next)."""
    moment = after.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment if moment > after else moment + timedelta(days=1)


def _label(code: str, t: Translator, base: datetime | None) -> str:
    if code == "now":
        return t(N_("Now"))
    if code.startswith("h"):
        return t("+%(n)s h", n=code[1:])
    hour = int(code[1:])
    if base is not None:
        return f"{next_at(hour, base):%d.%m %H:%M}"
    at = f"{hour:02d}:00"  # outside the call: Babel's extractor warns on an f-string in one
    return t("Tomorrow %(time)s", time=at)


def picks(which: str, t: Translator, base: datetime | None = None) -> list[Pick]:
    """``which``: ``start`` (from now), ``end`` (from the start), ``extend`` (from the current end);
    ``base`` (local) for an end or an extension: the set-hour picks are labelled with their date."""
    codes = (["now"] if which == "start" else []) + [f"h{h}" for h in HOURS] + [f"t{h}" for h in TOMORROW_AT]
    day_base = base if which != "start" else None
    return [Pick(code, _label(code, t, day_base)) for code in codes]


def resolve(code: str, *, base: datetime, now: datetime, from_base: bool = False) -> datetime | None:
    """The local moment a pick stands for: ``+N h`` counts from ``base``; a set hour is tomorrow's
    (the start) or, ``from_base``, the first one after ``base`` (an end, an extension).
    None for a code no button carries (a forged press)."""
    now = now.replace(second=0, microsecond=0)
    if code == "now":
        return now
    if code.startswith("h") and code[1:].isdigit() and int(code[1:]) in HOURS:
        return base.replace(second=0, microsecond=0) + timedelta(hours=int(code[1:]))
    if code.startswith("t") and code[1:].isdigit() and int(code[1:]) in TOMORROW_AT:
        if from_base:
            return next_at(int(code[1:]), base)
        return (now + timedelta(days=1)).replace(hour=int(code[1:]), minute=0)
    return None
