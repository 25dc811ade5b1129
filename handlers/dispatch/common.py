"""Small helpers shared by the dispatch handlers: the acting dispatcher, FSM data decoding."""

from __future__ import annotations

from datetime import datetime

from bot.turn import Turn
from models import User


def actor(turn: Turn) -> User:
    """The dispatcher acting: the router's guard has let only known staff through."""
    if turn.user is None:
        raise RuntimeError("a dispatch update from an unknown user passed the guard")
    return turn.user


def from_iso(raw: object) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None


def ids(raw: object) -> list[int]:
    return [int(i) for i in raw] if isinstance(raw, list) else []
