"""Inline-button payloads of the hand-over (prefix ``shf``): only an action code, nothing to trust."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ShiftAct:
    NOTE = "note"  # write a note for the next shift
    GO = "go"  # hand the shift over
    CANCEL = "cancel"


class ShiftCallback(CallbackData, prefix="shf"):
    act: str
