"""Pieces of the incident flows tested directly: typed moments (past and ahead), a contact split into
name and phone, a long journal fitting one Telegram message with its latest entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.incidents.moments import leading_moment, parse_future, parse_past
from handlers.incidents.new_incident import split_contact
from handlers.incidents.render import card_text
from models.enums import IncidentKind, InformantKind, Role
from services import staff
from services.audit import Actor
from services.incidents import journal
from services.notify import NoticeContext, Translator

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 1, 1, 0, 10, tzinfo=MSK)


def test_typed_moments_are_in_the_past() -> None:
    assert parse_past("23:50", NOW) == datetime(2025, 12, 31, 23, 50, tzinfo=MSK)  # just before midnight
    assert parse_past("0:05", NOW) == datetime(2026, 1, 1, 0, 5, tzinfo=MSK)
    assert parse_past("28.12 10:00", NOW) == datetime(2025, 12, 28, 10, 0, tzinfo=MSK)
    assert parse_past("31.12.2025 9.30", NOW) == datetime(2025, 12, 31, 9, 30, tzinfo=MSK)
    for bad in ("25:00", "31.02 10:00", "вчера", "", "10:00:00", "01.01.2020 10:00"):
        assert parse_past(bad, NOW) is None, bad
    assert leading_moment("23:40 Бригада выехала", NOW) == (
        datetime(2025, 12, 31, 23, 40, tzinfo=MSK),
        "Бригада выехала",
    )
    assert leading_moment("Бригада выехала в 23:40", NOW) == (None, "Бригада выехала в 23:40")
    assert leading_moment("99:99 текст", NOW) == (None, "99:99 текст")
    late = datetime(2025, 12, 31, 22, 0, tzinfo=MSK)
    assert parse_future("08:00", late) == datetime(2026, 1, 1, 8, 0, tzinfo=MSK)  # the next 08:00
    assert parse_future("23:00", late) == datetime(2025, 12, 31, 23, 0, tzinfo=MSK)
    assert parse_future("10.01 10:00", late) == datetime(2026, 1, 10, 10, 0, tzinfo=MSK)
    assert parse_future("10.01.2030 10:00", late) is None  # a typo, years ahead


def test_contact_split() -> None:
    assert split_contact("Иванова Анна, +7 900 123-45-67") == ("Иванова Анна", "+7 900 123-45-67")
    assert split_contact("89001234567 Пётр") == ("Пётр", "89001234567")
    assert split_contact("Дежурный ОМВД") == ("Дежурный ОМВД", None)


async def test_a_long_journal_keeps_its_latest_entries_within_one_message(session: AsyncSession) -> None:
    dispatcher = await staff.create_user(
        session, Actor.system("t"), full_name="Диспетчер", roles=[Role.DISPATCHER]
    )
    now = datetime.now(UTC).replace(microsecond=0)
    incident = await journal.log_incident(
        session,
        dispatcher,
        journal.NewIncident(
            kind=IncidentKind.HEATING_NETWORK,
            received_at=now - timedelta(hours=5),
            informant_kind=InformantKind.SERVICE,
            description="Порыв " * 600,
            address_text="Теплотрасса у котельной № 3",
        ),
        tz=MSK,
        now=now,
    )
    for i in range(20):
        await journal.add_action(
            session,
            dispatcher,
            incident.id,
            journal.ActionInput(f"Мера {i:02d} " + "<&>" * 200, occurred_at=now - timedelta(minutes=60 - i)),
            now=now,
        )
    text = await card_text(session, incident, Translator("ru"), NoticeContext(), note="Заметка в конце")
    assert len(text) <= 4096
    assert "Мера 19" in text and text.endswith("Заметка в конце") and "Мера 00" not in text
    assert "ранее" in text and "&lt;&amp;&gt;" in text
