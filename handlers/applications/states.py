"""The conversations of applications: a reviewer's scores, comment and recommendation; the
applicant's addition (text and files)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ReviewForm(StatesGroup):
    # FSM data: id (the application), step (the criterion's index), scores {key: score}
    score = State()
    comment = State()
    recommendation = State()


class MoreForm(StatesGroup):
    # FSM data: id, text (what is typed so far), files (accepted items)
    collect = State()
