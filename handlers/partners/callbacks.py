"""Inline-button payloads of an organisation's work and the dispatcher's approval.

``org:<ack|rep>:<i|o>:<id>`` and ``dupd:<ok|no>:<update id>`` are packed by the service that sends
the cards (``services.incidents.update_notices``): these classes must read exactly those strings
(``tests/bot/test_partner_work_units.py`` checks it). ``orgr`` are the steps of the report
conversation. Only ids and short codes: every press reloads and re-checks.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from services.incidents.updates import Target


class OrgAction:
    ACK = "ack"
    REPORT = "rep"


class OrgCallback(CallbackData, prefix="org"):
    action: str
    kind: str  # "i" incident, "o" outage (Target.code)
    id: int

    @classmethod
    def of(cls, action: str, target: Target) -> OrgCallback:
        return cls(action=action, kind=target.code, id=target.id)


class DecideCallback(CallbackData, prefix="dupd"):
    action: str  # "ok": publish to residents, "no": keep in the journal
    id: int  # the DispatchUpdate


class StepAct:
    FILES_DONE = "done"
    TIME = "time"  # value: a quick-pick code (handlers.partners.times)
    UNKNOWN_TIME = "notime"
    RESIDENTS = "pub"
    DISPATCHER_ONLY = "int"
    CANCEL = "cancel"


class StepCallback(CallbackData, prefix="orgr"):
    act: str
    value: str = ""
