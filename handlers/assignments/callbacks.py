"""Inline-button payloads of assignment work. Packed data must stay within Telegram's 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

# The services queue cards whose buttons are ``asg:<action>:<id>`` and ``ext:<decision>:<id>``
# (services.assignments.notices.cb / ext_cb); these factories pack to exactly those strings.


class AssignmentCallback(CallbackData, prefix="asg"):
    action: str  # ack, decline, report, ext, comment, accept, return, reassign, open
    id: int


class ExtensionCallback(CallbackData, prefix="ext"):
    decision: str  # approve, reject
    id: int  # the extension request


class AssignmentListCallback(CallbackData, prefix="al"):
    scope: str  # "my" or "ctl"
    flt: str  # services.assignments.queries.ListFilter value
    cur: str = ""  # keyset cursor (Cursor.encode), empty on the first page


class ReportCallback(CallbackData, prefix="rep"):
    action: str  # send, more, cancel
    id: int  # the assignment


class ExtensionPickCallback(CallbackData, prefix="exq"):
    id: int  # the assignment
    days: int  # the new deadline: the current one plus this many days


class ReassignCallback(CallbackData, prefix="rsg"):
    id: int  # the assignment
    user: int  # the new executor


class DeadlinePickCallback(CallbackData, prefix="dlq"):
    id: int  # the assignment
    days: int  # a quick pick, counted by services.assignments.deadline_rules.quick_pick
