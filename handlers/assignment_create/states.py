"""States of the «New assignment» conversation."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class CreateAssignment(StatesGroup):
    text = State()
    executor = State()
    deadline = State()
    files = State()
    priority = State()
    confirm = State()
    appeal = State()  # typing the number of the appeal to link, from the confirmation card
