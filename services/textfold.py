"""The one case- and «ё»-insensitive form of text for matching: «Пётр» and «петр» are one name.

Russian writers use «ё» and «е» interchangeably, so every search and key that compares names or
addresses folds through here (names of people, streets, outage addresses).
"""

from __future__ import annotations


def fold(text: str | None) -> str:
    return (text or "").casefold().replace("ё", "е")
