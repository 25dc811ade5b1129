"""The dispatcher's typed input (moments, house lists), quick picks and payload sizes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.dispatch.callbacks import HouseCallback, OutageAct, OutageCallback, SignalCallback, StepCallback
from handlers.dispatch.parsing import HouseSpan, parse_houses, parse_moment, too_far
from handlers.dispatch.picks import resolve
from porucheno.settings import SettingsError, load_settings
from services.outages.card import number
from services.outages.progress import card_data

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 1, 10, 15, 20, 33, tzinfo=MSK)


def at(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=MSK)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", at(2026, 1, 10, 14, 30)),
        (" 9:05 ", at(2026, 1, 10, 9, 5)),
        ("сейчас", at(2026, 1, 10, 15, 20)),
        ("Завтра 8:00", at(2026, 1, 11, 8, 0)),
        ("вчера, 23:15", at(2026, 1, 9, 23, 15)),
        ("24.11 9:00", at(2025, 11, 24, 9, 0)),  # no year: the nearest one (last November)
        ("28.01 10:00", at(2026, 1, 28, 10, 0)),
        ("24.11.2026 09:00", at(2026, 11, 24, 9, 0)),
        ("24.11.26, 9:00", at(2026, 11, 24, 9, 0)),
        ("1/2 7:45", at(2026, 2, 1, 7, 45)),
    ],
)
def test_typed_moments(text: str, expected: datetime) -> None:
    assert parse_moment(text, NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "25:00",
        "14:60",
        "31.02 10:00",
        "24.11",
        "14.30",
        "послезавтра 9:00",
        "10",
        "в обед",
        "24.13.2026 9:00",
    ],
)
def test_not_moments(text: str) -> None:
    # «29.02» has no year near 2026 to fall in.
    assert parse_moment(text, NOW) is None


def test_a_bare_time_after_the_start_is_the_next_such_time() -> None:
    start = at(2026, 1, 10, 22, 0)
    assert parse_moment("02:00", NOW, after=start) == at(2026, 1, 11, 2, 0)
    assert parse_moment("23:30", NOW, after=start) == at(2026, 1, 10, 23, 30)
    assert parse_moment("22:00", NOW, after=start) == at(2026, 1, 11, 22, 0)  # not the start itself
    assert parse_moment("12.01 02:00", NOW, after=start) == at(2026, 1, 12, 2, 0)  # a date is taken as is


def test_far_moments_are_flagged() -> None:
    assert too_far(at(2062, 11, 24, 9, 0), NOW) and not too_far(at(2026, 11, 24, 9, 0), NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-15", [HouseSpan(1, 15)]),
        ("15 - 1", [HouseSpan(1, 15)]),
        ("2-20 чёт", [HouseSpan(2, 20, "even")]),
        ("1–9 нечетные", [HouseSpan(1, 9, "odd")]),
        ("с 3 по 11 (нечёт.)", [HouseSpan(3, 11, "odd")]),
        ("5, 7, 9к1", ["5", "7", "9к1"]),
        ("5 7 9", ["5", "7", "9"]),
        ("10А; д. 12 корп. 2\n3/2", ["10а", "12к2", "3/2"]),
        ("1-5, 9к1, 11", [HouseSpan(1, 5), "9к1", "11"]),
    ],
)
def test_house_lists(text: str, expected: list[object]) -> None:
    assert parse_houses(text) == expected


@pytest.mark.parametrize(
    "text", ["", "Ленина", "1-я Советская", "8 Марта", "1-5 сторона", "5, Ленина", ",,,"]
)
def test_not_house_lists(text: str) -> None:
    assert parse_houses(text) is None


def test_spans_cover_numbers_on_their_side() -> None:
    span = HouseSpan(2, 20, "even")
    assert span.covers(2) and span.covers(20) and not span.covers(3) and not span.covers(22)
    assert not span.covers(None) and HouseSpan(1, 3).covers(2)


def test_quick_picks_resolve_at_press_time() -> None:
    start = at(2026, 1, 10, 22, 0)
    assert resolve("now", base=start, now=NOW) == at(2026, 1, 10, 15, 20)
    assert resolve("h8", base=start, now=NOW) == at(2026, 1, 11, 6, 0)
    assert resolve("t8", base=start, now=NOW) == at(2026, 1, 11, 8, 0)
    for forged in ("h3", "t25", "x", "h", ""):
        assert resolve(forged, base=start, now=NOW) is None
    # An end or an extension: the first such hour after the base, never before it.
    assert resolve("t8", base=start, now=NOW, from_base=True) == at(2026, 1, 11, 8, 0)
    assert resolve("t18", base=start, now=NOW, from_base=True) == at(2026, 1, 11, 18, 0)
    morning = at(2026, 1, 12, 7, 0)
    assert resolve("t8", base=morning, now=NOW, from_base=True) == at(2026, 1, 12, 8, 0)
    assert resolve("t18", base=at(2026, 1, 12, 18, 0), now=NOW, from_base=True) == at(2026, 1, 13, 18, 0)


def test_numbers_are_grouped_per_language() -> None:
    assert number(10000, "ru") == "10\u00a0000" and number(4500, "en") == "4,500" and number(7, "ru") == "7"


def test_payloads_fit_telegram() -> None:
    big = 9_223_372_036_854_775_807
    for data in (
        StepCallback(act="street", value=str(big)),
        HouseCallback(act="none", id=big, page=999),
        OutageCallback(act="cany", id=big, page=999),
        SignalCallback(act="disy", sid=big, oid=big, page=999),
    ):
        assert len(data.pack().encode()) <= 64


def test_the_progress_message_button_opens_the_card() -> None:
    # The scheduler writes this payload without the bot's callback classes.
    assert OutageCallback(act=OutageAct.SHOW, id=12345).pack() == card_data(12345)
    assert OutageCallback.unpack(card_data(7)) == OutageCallback(act=OutageAct.SHOW, id=7)


def test_outage_resources_setting_is_validated() -> None:
    assert load_settings(_env_file=None, outage_resources="heating, hot_water").outage_resources
    with pytest.raises(SettingsError, match="PORUCHENO_OUTAGE_RESOURCES: unknown resource 'steam'"):
        load_settings(_env_file=None, outage_resources="heating,steam")
