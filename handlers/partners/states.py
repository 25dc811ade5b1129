"""The report conversation: text → photos and scans → expected restoration → who sees it."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class OrgReport(StatesGroup):
    text = State()
    files = State()
    eta = State()
    audience = State()
