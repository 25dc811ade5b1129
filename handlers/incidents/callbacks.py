"""Inline-button payloads of the incident flows. Only ids and short codes: every press reloads rows.

Prefixes: ``inp`` steps of the new-incident conversation, ``inc`` the open incidents and a card,
``inq`` the residents' incident reports. Each packs well under Telegram's 64 bytes.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class StepAct:
    KIND = "kind"  # value: an IncidentKind
    BUILDING = "b"  # value: the building's id
    POINT_ONLY = "pt"  # a shared location kept as a map point, no building
    FREE_PLACE = "free"  # «not in the register»: the next text is the place as described
    RAW_PLACE = "raw"  # take the text just typed as the place
    INFORMANT = "inf"  # value: an InformantKind
    ORG = "org"  # value: an organisation's id (informant or responsible, by the state)
    ORG_PAGE = "orgp"  # value: the page
    NO_ORG = "noorg"  # no responsible organisation
    SKIP = "skip"  # no name/phone of the informant
    SIGNAL_TEXT = "sig"  # take the residents' text as the description
    LOG = "log"
    EDIT_TIME = "time"
    EDIT_END = "end"  # the expected end
    CANCEL = "cancel"


class StepCallback(CallbackData, prefix="inp"):
    act: str
    value: str = ""


class CardAct:
    LIST = "list"  # page
    OPEN = "open"
    ACTION = "act"  # type a measure taken
    PUBLIC = "pub"  # the typed measure is told to residents
    INTERNAL = "int"  # the typed measure stays in the journal
    HAND = "hand"  # choose an organisation (page)
    HAND_TO = "to"  # oid: the organisation, 0: take it back
    CAUSE = "cause"
    EXPECTED = "eta"  # type a new expected end
    CLOSE = "close"
    REOPEN = "reopen"  # a closed incident: type the reason
    SIGNALS = "sig"  # the residents' reports queue


class CardCallback(CallbackData, prefix="inc"):
    act: str
    id: int = 0
    oid: int = 0
    page: int = 0


class QueueAct:
    LIST = "list"  # page
    OPEN = "open"  # sid: any report of the group
    LOG = "log"  # a new incident from the group
    DISMISS = "dis"  # asks for confirmation
    DISMISS_YES = "disy"


class QueueCallback(CallbackData, prefix="inq"):
    act: str
    sid: int = 0
    page: int = 0
