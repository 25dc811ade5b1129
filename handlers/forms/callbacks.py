"""Inline-button payloads and states of the forms conversation. Packed data stays within 64 bytes:
«fm:<act>:<form id>:<value>» with option values of at most 24 characters (``services.forms``)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup


class Act:
    OPEN = "o"  # a form picked from the list
    PD = "pd"  # value 1/0: agreed / declined the personal-data consent; the version in ``step``
    PICK = "p"  # a choice's option (value)
    TOGGLE = "t"  # a multichoice option (value)
    DONE = "d"  # multichoice or files: done
    SKIP = "s"  # an optional field left empty
    AGREE = "a"  # a consent field
    SEND = "send"
    CANCEL = "x"


class FormCb(CallbackData, prefix="fm"):
    act: str
    form: int
    step: int = 0  # the field's index the button was drawn for: a press on an old question is stale
    v: str = ""


class FormFill(StatesGroup):
    consent = State()  # the personal-data consent shown, waiting for a press
    answering = State()
    confirm = State()  # the summary shown: Send or Cancel
