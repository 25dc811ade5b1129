"""Conversation states (FSM)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class PhoneForm(StatesGroup):
    waiting = State()
