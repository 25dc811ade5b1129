"""Segment counts against a hand-made data set (issue #16): every expected audience is written out
by name from the table in ``segments_dataset``; run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, User
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.segments import filters as segment_filters
from services.segments import query, saved
from services.staff import create_user
from tests.services.segments_dataset import NOW, Dataset, build

ANNA, BORIS, VERA, GLEB, DARYA = (
    "Аверина Анна",
    "Белов Борис",
    "Волкова Вера",
    "Григорьев Глеб",
    "Дмитриева Дарья",
)
EGOR, ZHANNA, ZAKHAR, IRINA, MAKSIM = (
    "Егоров Егор",
    "Жукова Жанна",
    "Зайцев Захар",
    "Иванова Ирина",
    "Морозов Максим",
)
NINA, OLEG, POLINA = "Никитина Нина", "Орлов Олег", "Петрова Полина"


def cases(d: Dataset) -> list[tuple[str, dict[str, Any], set[str]]]:
    """(what, filters, expected members by name) — worked out by hand from the table."""
    return [
        # No filter: everyone with a confirmed consent; the merged Козлов and the erased Лебедева never.
        ("default", {}, {ANNA, VERA, GLEB, DARYA, EGOR, ZAKHAR, IRINA, NINA, OLEG}),
        ("tag any дети", {"tags": {"any": ["Дети "]}, "consent": "any"}, {ANNA, BORIS, GLEB, ZHANNA, POLINA}),
        ("tags all", {"tags": {"all": ["дети", "волонтёр"]}, "consent": "any"}, {GLEB, POLINA}),
        ("дети, not волонтёр, confirmed", {"tags": {"any": ["дети"], "none": ["волонтёр"]}}, {ANNA}),
        ("programme", {"programmes": ["Университет детей"], "consent": "any"}, {ANNA, BORIS, ZHANNA, EGOR}),
        (
            "forms within 30 days",
            {
                "forms": {
                    "ids": [d.forms["kids"], d.forms["news"]],
                    "since": (NOW - timedelta(days=30)).date().isoformat(),
                },
                "consent": "any",
            },
            {ANNA, ZHANNA, DARYA},
        ),
        (
            "registered",
            {"events": {"registered": [d.events["e1"], d.events["e2"]]}, "consent": "any"},
            {ANNA, BORIS, VERA, EGOR},
        ),
        ("attended", {"events": {"attended": [d.events["e1"]]}, "consent": "any"}, {ANNA, EGOR}),
        ("topic", {"topics": [d.categories["roads"]]}, {GLEB, OLEG}),
        ("subscribed", {"address": {"subscribed": True}}, {ZAKHAR, IRINA, OLEG}),
        ("street", {"address": {"street": "улица Ленина"}}, {ZAKHAR, OLEG}),
        ("telegram", {"channel": "telegram"}, {ANNA, VERA, EGOR, ZAKHAR, IRINA, NINA, OLEG}),
        ("email", {"channel": "email"}, {ANNA, VERA, GLEB, DARYA, IRINA}),
        (
            "active 30 days",
            {"activity": {"active_days": 30}, "consent": "any"},
            {ANNA, VERA, GLEB, ZHANNA, DARYA, OLEG},
        ),
        ("inactive 90 days", {"activity": {"inactive_days": 90}, "consent": "any"}, {ZAKHAR, IRINA, MAKSIM}),
        ("pending", {"consent": "pending"}, {BORIS, POLINA}),
        ("withdrawn", {"consent": "withdrawn"}, {ZHANNA}),
        ("never asked", {"consent": "none"}, {MAKSIM}),
        (
            "combined",
            {
                "tags": {"any": ["дети"]},
                "channel": "telegram",
                "activity": {"active_days": 30},
                "consent": "any",
            },
            {ANNA, ZHANNA},
        ),
    ]


async def test_counts_and_members_match_the_hand_made_audience(session: AsyncSession) -> None:
    d = await build(session)
    for what, raw, expected in cases(d):
        spec = segment_filters.parse(raw)
        assert await query.count(session, spec, now=NOW) == len(expected), what
        found = await query.members(session, spec, now=NOW)
        assert d.names([m.correspondent_id for m in found]) == expected, what
        ids = set((await session.scalars(query.select_ids(spec, now=NOW))).all())
        assert d.names(ids) == expected, what


async def test_members_carry_the_contacts_to_send_to(session: AsyncSession) -> None:
    d = await build(session)
    by_name = {
        m.name: m for m in await query.members(session, segment_filters.parse({"consent": "any"}), now=NOW)
    }
    assert by_name[ANNA].telegram_chat_id == d.chats[ANNA] and by_name[ANNA].email == "anna@example.org"
    assert by_name[ANNA].consent_status == "confirmed"
    assert by_name[GLEB].telegram_chat_id is None  # blocked the bot
    assert by_name[DARYA].telegram_chat_id is None and by_name[DARYA].email == "darya@example.org"
    assert by_name[ZAKHAR].telegram_chat_id == d.chats[ZAKHAR]  # linked by the account only
    assert by_name[OLEG].telegram_chat_id == d.chats[OLEG]  # linked by the card only
    assert by_name[MAKSIM].consent_status is None
    assert list(by_name) == sorted(by_name, key=str.casefold)


@pytest.mark.parametrize(
    "raw",
    [
        {"colour": "red"},
        {"tags": {"some": ["дети"]}},
        {"forms": {"ids": ["abc"]}},
        {"activity": {"active_days": 10, "inactive_days": 5}},
        {"activity": {"active_days": -1}},
        {"consent": "maybe"},
        {"forms": {"ids": [1], "since": "2026-05-01", "until": "2026-01-01"}},
        {"topics": list(range(100))},
    ],
)
def test_malformed_filters_are_refused_with_a_message(raw: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        segment_filters.parse(raw)
    assert caught.value.message == segment_filters.INVALID and caught.value.params["details"]


def test_filters_round_trip_through_the_stored_json() -> None:
    raw = {
        "tags": {"any": ["дети"]},
        "forms": {"ids": [3, 3, 4], "since": "2026-01-01"},
        "channel": "telegram",
    }
    spec = segment_filters.parse(raw)
    assert spec.to_json() == {
        "tags": {"any": ["дети"]},
        "forms": {"ids": [3, 4], "since": "2026-01-01"},
        "channel": "telegram",
    }
    assert segment_filters.parse(spec.to_json()) == spec


async def _user(session: AsyncSession, login: str, roles: list[str]) -> User:
    return await create_user(
        session,
        Actor.system("test"),
        full_name=login,
        roles=roles,
        login=login,
        password="correct-horse-battery",
    )


async def test_saved_segments_are_audited_and_resolve(session: AsyncSession) -> None:
    d = await build(session)
    clerk = await _user(session, "clerk", ["clerk"])
    outsider = await _user(session, "worker", ["executor"])
    with pytest.raises(PermissionDenied):
        await saved.create(session, outsider, name="x", filters={})
    segment = await saved.create(session, clerk, name="  Родители  ", filters={"tags": {"any": ["родители"]}})
    assert segment.name == "Родители"
    assert d.names([m.correspondent_id for m in await saved.resolve(session, segment.id, now=NOW)]) == {
        ANNA,
        EGOR,
    }
    await saved.update(session, clerk, segment.id, name="Родители", filters={"tags": {"any": ["дети"]}})
    assert d.names([m.correspondent_id for m in await saved.resolve(session, segment.id, now=NOW)]) == {
        ANNA,
        GLEB,
    }
    await saved.archive(session, clerk, segment.id)
    assert segment not in await saved.listing(session)
    with pytest.raises(InvalidInput):
        await saved.update(session, clerk, segment.id, name="x", filters={})
    await session.commit()
    actions = list(
        (
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.entity_type == "segment").order_by(AuditEvent.id)
            )
        ).all()
    )
    assert actions == ["created", "edited", "archived"]


async def test_every_filter_at_once_is_one_statement(session: AsyncSession) -> None:
    from sqlalchemy import event

    d = await build(session)
    raw = {
        "tags": {"any": ["дети"], "all": ["родители"], "none": ["волонтёр"]},
        "forms": {"ids": [d.forms["kids"]], "since": "2026-01-01", "until": "2026-12-31"},
        "events": {"attended": [d.events["e1"]], "registered": [d.events["e1"]]},
        "programmes": ["Университет детей"],
        "address": {"subscribed": False},
        "channel": "telegram",
        "activity": {"active_days": 30},
    }
    statements: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.bind.sync_engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", note)
    try:
        found = await query.members(session, segment_filters.parse(raw), now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    # Аверина: дети + родители, not a volunteer, the kids' form 10 days ago, came to e1, no address,
    # a Telegram chat seen 2 days ago, a confirmed consent.
    assert d.names([m.correspondent_id for m in found]) == {ANNA}
    assert len(statements) == 1 and "EXISTS" in statements[0].upper()
