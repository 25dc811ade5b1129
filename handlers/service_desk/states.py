"""The service desk's conversations: filing a request, and typing a message on one."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class DeskForm(StatesGroup):
    topic = State()
    urgency = State()
    text = State()
    files = State()
    confirm = State()
    # Typing on a request (reply, note, question, what was done, why not solved, why cancelled);
    # FSM data: kind, id, status (as the card showed it: a stale card is refused).
    typing = State()
