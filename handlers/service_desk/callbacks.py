"""Inline-button payloads of the service desk. Only an action and an id: every press reloads the request.

``sd:<action>:<request id>`` is the format ``services.service_desk.notices.cb`` writes on the notices;
``DeskCallback`` packs to exactly the same strings. ``sdn`` are the steps of filing a new request.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from services.service_desk.notices import CB_PREFIX, CONFIRM, NOT_SOLVED, OPEN, SAY, TAKE

DB_ID_MAX = 2**63 - 1  # a BIGINT: a forged larger id would fail in the database, not read as «not found»


class Act:
    OPEN = OPEN
    TAKE = TAKE  # a new request (expected: new)
    TAKE_OVER = "tko"  # one a colleague works on (expected: in work)
    SAY = SAY  # a public message: the requester's answer or the service's reply
    NOTE = "note"  # an internal note of the service
    ASK = "ask"  # ask the requester: the clocks pause
    RESOLVE = "done"
    URGENCY = "urg"  # shows the urgency choices
    SET_URGENCY = "u-"  # + the urgency: "u-high"
    CANCEL = "cancel"
    CONFIRM = CONFIRM
    NOT_SOLVED = NOT_SOLVED
    RATE = "rate"  # shows the stars
    STARS = "r"  # + 1..5: "r5"
    SEND_FILES = "send"  # a message of files only
    FILES = "files"  # send the request's files into the chat
    STOP = "stop"  # leave the typing step
    MINE = "mine"
    QUEUE = "queue"


class DeskCallback(CallbackData, prefix=CB_PREFIX):
    action: str
    id: int = 0


class NewAct:
    START = "new"
    TOPIC = "t"  # value: the topic's id
    URGENCY = "u"  # value: a ServiceUrgency
    FILES_DONE = "fd"
    SEND = "go"
    CANCEL = "x"


class NewCallback(CallbackData, prefix="sdn"):
    act: str
    value: str = ""


def valid_id(raw: int) -> bool:
    return 0 < raw <= DB_ID_MAX
