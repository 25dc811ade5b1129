"""Fast checks of the assignment bot pieces: callback data, typed dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.assignments.actions import ACTIONS, BY_FORM, EXTENSION_DECISIONS, REASONED, TAPS
from handlers.assignments.callbacks import (
    AssignmentCallback,
    AssignmentListCallback,
    ExtensionCallback,
    ExtensionPickCallback,
    ReassignCallback,
    ReportCallback,
)
from handlers.assignments.cards import parse_local
from services.assignments.notices import cb, ext_cb
from services.assignments.queries import Cursor

BIG = 9_223_372_036_854_775_807  # the largest BIGINT id

MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    "action", ["ack", "decline", "report", "ext", "comment", "accept", "return", "reassign", "open"]
)
def test_assignment_buttons_pack_like_the_services(action: str) -> None:
    packed = AssignmentCallback(action=action, id=BIG).pack()
    assert packed == cb(action, BIG)
    assert AssignmentCallback.unpack(cb(action, 42)) == AssignmentCallback(action=action, id=42)
    assert len(packed.encode()) <= 64


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_extension_buttons_pack_like_the_services(decision: str) -> None:
    assert ExtensionCallback(decision=decision, id=BIG).pack() == ext_cb(decision, BIG)
    assert ExtensionCallback.unpack(ext_cb(decision, 7)).id == 7


def test_lifecycle_table_rows_are_complete() -> None:
    # A row applies at once (and names the status its button was drawn for, so a double tap is
    # refused) or asks for a reason in a step of its own; never half of each.
    for key, row in ACTIONS.items():
        assert (row.prompt is None) == (row.form is None) == (row.expected is not None), key
    assert TAPS | REASONED == set(ACTIONS) and len(BY_FORM) == len(REASONED)
    assert {"ack", "decline", "accept", "return"} <= set(ACTIONS)
    assert set(EXTENSION_DECISIONS) == {"approve", "reject"}
    assert [d.approve for d in EXTENSION_DECISIONS.values()] == [True, False]


def test_every_payload_fits_in_64_bytes() -> None:
    cursor = Cursor(datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=MSK), BIG).encode()
    payloads = [
        AssignmentListCallback(scope="ctl", flt="review", cur=cursor),
        ReportCallback(action="cancel", id=BIG),
        ExtensionPickCallback(id=BIG, days=7),
        ReassignCallback(id=BIG, user=BIG),
    ]
    for payload in payloads:
        assert len(payload.pack().encode()) <= 64, payload


def test_typed_local_dates() -> None:
    assert parse_local("25.12.2026 18:30", MSK) == datetime(2026, 12, 25, 18, 30, tzinfo=MSK)
    assert parse_local(" 5.1.2027 9.05 ", MSK) == datetime(2027, 1, 5, 9, 5, tzinfo=MSK)
    assert parse_local("25.12.2026", MSK) == datetime(2026, 12, 25, 18, 0, tzinfo=MSK)
    for bad in ("31.02.2026 10:00", "25.12.26 10:00", "завтра", "25.12.2026 25:00", ""):
        assert parse_local(bad, MSK) is None, bad
