"""Inline-button payloads of the «New assignment» conversation (prefix ``new``)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

CREATE_SCOPE = "new"  # scope of the shared calendar and executor picker in this flow


class NewAct:
    FILES_DONE = "files"  # attachments step finished (or skipped)
    PRIORITY = "prio"  # value: a models.enums.Priority
    CREATE = "create"
    REDATE = "redate"  # back to the deadline step from the confirmation card
    CANCEL = "cancel"
    APPEAL = "appeal"  # link an appeal by its number, from the confirmation card
    TEMPLATES = "tpls"  # list the assignment templates, at the start
    TEMPLATE = "tpl"  # value: an AssignmentTemplate id
    POINT = "point"  # «➕ One more point»: the draft becomes a multi-point assignment
    ADD_POINT = "addpt"  # confirm a point added to an existing multi-point assignment


class NewCallback(CallbackData, prefix="new"):
    act: str
    value: str = ""
