"""The assignment state machine: which action moves which state to which, and who may do it.

    new ──acknowledge──▶ acknowledged ──start──▶ in_progress ──submit──▶ on_review ──accept──▶ done
     │                        │                      ▲                     │
     └──decline──▶ declined ◀─┘                      └──────start─── returned ◀──return──┘
                      └──reassign──▶ new
    any open state ──cancel──▶ cancelled

Extensions do not change the state: a pending request is approved (new deadline) or rejected.
"""

from __future__ import annotations

from enum import StrEnum

from models.enums import AssignmentStatus as S


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    DECLINE = "decline"
    REASSIGN = "reassign"
    CANCEL = "cancel"


class Party(StrEnum):
    """Who is allowed to take an action (resolved against the reloaded record, never the button)."""

    EXECUTOR = "executor"
    CONTROL = "control"  # the author, the controller, or an administrator


TRANSITIONS: dict[Action, tuple[frozenset[S], S, Party]] = {
    Action.ACKNOWLEDGE: (frozenset({S.NEW}), S.ACKNOWLEDGED, Party.EXECUTOR),
    Action.START: (frozenset({S.ACKNOWLEDGED, S.RETURNED}), S.IN_PROGRESS, Party.EXECUTOR),
    Action.SUBMIT: (frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.RETURNED}), S.ON_REVIEW, Party.EXECUTOR),
    Action.ACCEPT: (frozenset({S.ON_REVIEW}), S.DONE, Party.CONTROL),
    Action.RETURN: (frozenset({S.ON_REVIEW}), S.RETURNED, Party.CONTROL),
    Action.DECLINE: (frozenset({S.NEW, S.ACKNOWLEDGED}), S.DECLINED, Party.EXECUTOR),
    Action.REASSIGN: (
        frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.RETURNED, S.DECLINED}),
        S.NEW,
        Party.CONTROL,
    ),
    Action.CANCEL: (
        frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ON_REVIEW, S.RETURNED, S.DECLINED}),
        S.CANCELLED,
        Party.CONTROL,
    ),
}

# Actions after which the record is closed for the executor.
FINAL_STATES = frozenset({S.DONE, S.CANCELLED})
REASON_REQUIRED = frozenset({Action.RETURN, Action.DECLINE, Action.CANCEL})


def target_state(action: Action, current: str) -> S | None:
    """The state ``action`` leads to from ``current``, or None when it is not allowed there."""
    sources, target, _party = TRANSITIONS[action]
    return target if S(current) in sources else None


def allowed_actions(current: str) -> list[Action]:
    return [a for a, (sources, _t, _p) in TRANSITIONS.items() if S(current) in sources]
