"""Small helpers shared by the dispatch handlers: the reader's translator, FSM data decoding."""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import I18n

from services.notify import Translator


def tr(i18n: I18n) -> Translator:
    """The current reader's translator (the locale middleware has picked it)."""
    return Translator(i18n.current_locale)


def from_iso(raw: object) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None


def ids(raw: object) -> list[int]:
    return [int(i) for i in raw] if isinstance(raw, list) else []
