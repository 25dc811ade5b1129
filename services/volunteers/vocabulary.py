"""What a volunteer can do and when: skills and the availability vocabulary.

Availability is stored as ``{"mon": ["morning", "evening"], ...}`` (``Volunteer.availability``).
A questionnaire's ``availability`` answer (a multichoice, or text separated by commas) may use:

- ``<day>_<part>``: one slot, e.g. ``mon_morning``, ``sat_evening``;
- ``<day>``: the whole day, e.g. ``sun``;
- ``weekdays`` (Monday–Friday, all day), ``weekends`` (Saturday and Sunday, all day),
  ``mornings`` / ``afternoons`` / ``evenings`` (that part of every day), ``any`` (always).

Days are ``mon tue wed thu fri sat sun``; parts are ``morning`` (before 12:00), ``afternoon``
(12:00–17:00) and ``evening`` (from 17:00), local time. Unknown words are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.notify import N_

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")
AFTERNOON_FROM = 12  # local hour
EVENING_FROM = 17
SKILL_MAX = 64
SKILLS_MAX = 30

DAY_LABELS = {
    "mon": N_("Mon"),
    "tue": N_("Tue"),
    "wed": N_("Wed"),
    "thu": N_("Thu"),
    "fri": N_("Fri"),
    "sat": N_("Sat"),
    "sun": N_("Sun"),
}
PART_LABELS = {"morning": N_("morning"), "afternoon": N_("afternoon"), "evening": N_("evening")}
_GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "weekdays": (DAYS[:5], PARTS),
    "weekends": (DAYS[5:], PARTS),
    "mornings": (DAYS, ("morning",)),
    "afternoons": (DAYS, ("afternoon",)),
    "evenings": (DAYS, ("evening",)),
    "any": (DAYS, PARTS),
}


def _words(value: Any) -> list[str]:
    """A multichoice's list or a typed text, as separate trimmed words."""
    if value is None:
        return []
    items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
    words: list[str] = []
    for item in items:
        if isinstance(item, str):
            words += [w.strip() for w in item.replace("\n", ",").replace(";", ",").split(",")]
    return [w for w in words if w]


def parse_skills(value: Any) -> list[str]:
    """Skills from a multichoice (a list) or typed text («экскурсии, фото»): trimmed, no repeats."""
    seen: dict[str, str] = {}
    for word in _words(value):
        skill = " ".join(word.split())[:SKILL_MAX]
        seen.setdefault(skill.casefold(), skill)
    return list(seen.values())[:SKILLS_MAX]


def parse_availability(value: Any) -> dict[str, list[str]]:
    """The availability vocabulary (see the module's doc) as ``{day: [parts]}`` in a fixed order."""
    slots: set[tuple[str, str]] = set()
    for word in _words(value):
        key = word.casefold().replace("-", "_").replace(" ", "_")
        if key in _GROUPS:
            days, parts = _GROUPS[key]
            slots |= {(d, p) for d in days for p in parts}
        elif key in DAYS:
            slots |= {(key, p) for p in PARTS}
        elif "_" in key:
            day, _sep, part = key.partition("_")
            if day in DAYS and part in PARTS:
                slots.add((day, part))
    return normalize(slots)


def normalize(slots: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    wanted = set(slots)
    result = {d: [p for p in PARTS if (d, p) in wanted] for d in DAYS}
    return {d: parts for d, parts in result.items() if parts}


def slots_of(availability: dict[str, Any] | None) -> set[tuple[str, str]]:
    """The stored availability as ``{(day, part)}``; anything malformed is ignored."""
    found: set[tuple[str, str]] = set()
    for day, parts in (availability or {}).items():
        if day in DAYS and isinstance(parts, list):
            found |= {(day, p) for p in parts if p in PARTS}
    return found


def slot_of(local: datetime) -> tuple[str, str]:
    """The day and part of the day a local moment falls in."""
    part = (
        "morning" if local.hour < AFTERNOON_FROM else "afternoon" if local.hour < EVENING_FROM else "evening"
    )
    return DAYS[local.weekday()], part


def describe(availability: dict[str, Any] | None, t: Any) -> str:
    """«Mon: morning, evening; Sat: all day» in the reader's language (``t`` translates)."""
    parts_of: dict[str, list[str]] = {}
    for day, part in sorted(slots_of(availability), key=lambda s: (DAYS.index(s[0]), PARTS.index(s[1]))):
        parts_of.setdefault(day, []).append(part)
    chunks = []
    for day, parts in parts_of.items():
        when = t("all day") if len(parts) == len(PARTS) else ", ".join(t(PART_LABELS[p]) for p in parts)
        chunks.append(f"{t(DAY_LABELS[day])}: {when}")
    return "; ".join(chunks)
