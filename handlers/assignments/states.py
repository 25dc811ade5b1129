"""Conversation states (FSM) of assignment work."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class DeclineForm(StatesGroup):
    reason = State()


class ReturnForm(StatesGroup):
    reason = State()


class ReportForm(StatesGroup):
    collecting = State()


class ExtensionForm(StatesGroup):
    deadline = State()
    reason = State()


class CommentForm(StatesGroup):
    text = State()


class ReassignForm(StatesGroup):
    search = State()


class CancelForm(StatesGroup):
    reason = State()


class ExtensionRejectForm(StatesGroup):
    reason = State()


class DeadlineForm(StatesGroup):
    deadline = State()
