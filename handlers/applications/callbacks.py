"""Inline-button payloads of applications: an action and an id only; every press reloads and re-checks.

``ap:<action>:<application id>`` is what ``services.applications.notices.cb`` writes on the notices;
``AppCallback`` packs to exactly the same strings (at most ~30 bytes, well under Telegram's 64)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from models.enums import ApplicationDecision
from services.applications.notices import CB_PREFIX, MINE, MORE, OPEN, RATE

DB_ID_MAX = 2**63 - 1


class Act:
    RATE = RATE  # a reviewer starts (or edits) their review
    OPEN = OPEN  # the applicant's card of one application
    MORE = MORE  # the applicant adds information asked for
    MINE = MINE  # the applicant's list
    TO_REVIEW = "todo"  # a reviewer's list
    SKIP = "skip"  # no comment
    SEND = "go"  # send the addition
    STOP = "x"  # leave the conversation
    # the recommendation's buttons: "rc-approved", "rc-rejected", "rc-needs_more", "rc-none"
    RECOMMEND = "rc-"


RECOMMENDATIONS = (*(d.value for d in ApplicationDecision), "none")


class AppCallback(CallbackData, prefix=CB_PREFIX):
    action: str
    id: int = 0


def valid_id(raw: int) -> bool:
    return 0 < raw <= DB_ID_MAX
