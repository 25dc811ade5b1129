"""Conversation states of the residents' outage features."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class SubscribeForm(StatesGroup):
    address = State()


class OutagesForm(StatesGroup):
    address = State()


class SignalForm(StatesGroup):
    resource = State()
    incident_kind = State()  # «Other»: which kind of problem
    address = State()
    comment = State()
    confirm = State()
