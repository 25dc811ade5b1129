"""Quick picks for the start, the expected end and an extension, resolved at press time."""

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


def _label(code: str, t: Translator) -> str:
    if code == "now":
        return t(N_("Now"))
    if code.startswith("h"):
        return t("+%(n)s h", n=code[1:])
    at = f"{int(code[1:]):02d}:00"  # outside the call: Babel's extractor warns on an f-string in one
    return t("Tomorrow %(time)s", time=at)


def picks(which: str, t: Translator) -> list[Pick]:
    """``which``: ``start`` (from now), ``end`` (from the start), ``extend`` (from the current end)."""
    codes = (["now"] if which == "start" else []) + [f"h{h}" for h in HOURS] + [f"t{h}" for h in TOMORROW_AT]
    return [Pick(code, _label(code, t)) for code in codes]


def resolve(code: str, *, base: datetime, now: datetime) -> datetime | None:
    """The local moment a pick stands for: ``+N h`` counts from ``base``, the rest from ``now``.
    None for a code no button carries (a forged press)."""
    now = now.replace(second=0, microsecond=0)
    if code == "now":
        return now
    if code.startswith("h") and code[1:].isdigit() and int(code[1:]) in HOURS:
        return base.replace(second=0, microsecond=0) + timedelta(hours=int(code[1:]))
    if code.startswith("t") and code[1:].isdigit() and int(code[1:]) in TOMORROW_AT:
        return (now + timedelta(days=1)).replace(hour=int(code[1:]), minute=0)
    return None
