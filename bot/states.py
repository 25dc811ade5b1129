"""Conversation states (FSM)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class PhoneForm(StatesGroup):
    waiting = State()


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
