"""States of the dispatcher's incident conversations: a new incident, and the card's typed answers."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class IncidentForm(StatesGroup):
    kind = State()
    place = State()  # an address typed, a location shared, or a place described in words
    informant = State()
    informant_org = State()
    informant_name = State()  # optional name and phone
    description = State()
    responsible = State()
    preview = State()
    received_at = State()  # «change the time received», from the preview
    expected_end = State()  # «expected end», from the preview
    # A logged incident's card: the FSM data's ``incident_id`` says which one.
    action = State()
    action_public = State()
    cause = State()
    card_expected = State()  # a new expected end, typed
    close = State()
    reopen = State()
