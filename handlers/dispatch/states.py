"""States of the dispatcher's conversations.

One group serves the new outage and the card's «add / remove houses» and «extend»: the FSM data's
``mode`` says what «Done» at the address step and the chosen time lead to.
"""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Mode:
    NEW = "new"  # a new outage: addresses → times → description → preview
    SIGNALS = "signals"  # a new outage from residents' reports: as NEW, the reports linked on publish
    ADD = "add"  # more houses for a published outage
    REMOVE = "remove"  # houses no longer affected
    EXTEND = "extend"  # a new expected end


class OutageForm(StatesGroup):
    kind = State()
    resource = State()
    addresses = State()  # a street typed, then houses picked or typed; repeatable
    start = State()
    end = State()
    description = State()
    preview = State()
    record = State()  # off the preview: the cause typed, informant and organisation picked
    news_text = State()  # a published outage's news for residents
    news_time = State()  # …and its new expected end, if any
    restored_at = State()  # the actual restoration time, when earlier than now
    remove_confirm = State()
