"""Correspondents: normalisation, de-duplication by each key, Cyrillic search, merge and the card."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Correspondent, TelegramAccount
from services import correspondents
from services.appeals.intake import ContactInput
from services.errors import InvalidInput, NotFound
from tests.services.appeals_helpers import SYSTEM, add_account, register


def test_normalisation() -> None:
    for raw in ("+7 (916) 123-45-67", "8 916 123 45 67", "9161234567", "79161234567"):
        assert correspondents.normalize_phone(raw) == "+79161234567"
    assert correspondents.normalize_phone("+375 29 123-45-67") == "+375291234567"
    assert correspondents.normalize_phone("позвоните вечером") is None
    assert correspondents.normalize_email(" Ivanov@Mail.RU ") == "ivanov@mail.ru"
    assert correspondents.normalize_email("не адрес") is None


async def test_deduplication_by_each_key_fills_missing_contacts(session: AsyncSession) -> None:
    await add_account(session, 777)
    by_tg = await correspondents.find_or_create(
        session, ContactInput(name="Иванов", telegram_id=777), actor=SYSTEM
    )
    same_tg = await correspondents.find_or_create(
        session, ContactInput(name="Иван", telegram_id=777, phone="8 (916) 123-45-67"), actor=SYSTEM
    )
    by_phone = await correspondents.find_or_create(
        session, ContactInput(name="И. Иванов", phone="+79161234567", email="Ivanov@Mail.ru"), actor=SYSTEM
    )
    by_email = await correspondents.find_or_create(
        session,
        ContactInput(name="Иванов И.", email="IVANOV@mail.RU", postal_address="ул. Ленина, 1"),
        actor=SYSTEM,
    )
    stranger = await correspondents.find_or_create(
        session, ContactInput(name="Петров", email="p@x.ru"), actor=SYSTEM
    )
    await session.commit()
    assert by_tg.id == same_tg.id == by_phone.id == by_email.id != stranger.id
    assert (by_tg.phone_normalized, by_tg.email, by_tg.postal_address) == (
        "+79161234567",
        "ivanov@mail.ru",
        "ул. Ленина, 1",
    )
    assert by_tg.name == "Иванов"  # the first name given stays
    account = await session.get(TelegramAccount, 777)
    assert account is not None and account.correspondent_id == by_tg.id
    actions = (
        await session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "correspondent"))
    ).all()
    assert actions.count("created") == 2 and actions.count("contacts_added") == 3


async def test_search_is_case_insensitive_in_cyrillic_and_finds_phone_fragments(
    session: AsyncSession,
) -> None:
    ivanov = await correspondents.find_or_create(
        session, ContactInput(name="ИВАНОВ Иван", phone="+79161234567"), actor=SYSTEM
    )
    await correspondents.find_or_create(
        session, ContactInput(name="Ёлкина Анна", email="Elkina@Example.ru"), actor=SYSTEM
    )
    await session.commit()
    assert [c.id for c in await correspondents.search(session, "иванов")] == [ivanov.id]
    assert [c.id for c in await correspondents.search(session, "916 123")] == [ivanov.id]
    assert [c.id for c in await correspondents.search(session, "8916123")] == [ivanov.id]
    assert [c.name for c in await correspondents.search(session, "елкина")] == ["Ёлкина Анна"]
    assert [c.name for c in await correspondents.search(session, "ELKINA@")] == ["Ёлкина Анна"]
    assert await correspondents.search(session, "100%") == []


async def test_merge_moves_appeals_and_accounts_and_fixes_counts(
    session: AsyncSession, tmp_path: Path
) -> None:
    await add_account(session, 1001)
    keep = (await register(session, tmp_path)).appeal.correspondent_id
    paper = ContactInput(name="Иванов Иван", email="ivanov@mail.ru", postal_address="ул. Мира, 3")
    for _ in range(2):
        merged = (await register(session, tmp_path, channel="paper", contact=paper)).appeal.correspondent_id
    assert keep is not None and merged is not None and keep != merged
    assert [c.id for c in await correspondents.duplicates_of(session, keep)] == [merged]
    with pytest.raises(InvalidInput):
        await correspondents.merge(session, keep, keep, actor=SYSTEM)
    kept = await correspondents.merge(session, keep, merged, actor=SYSTEM)
    await session.commit()
    card = await correspondents.card(session, keep)
    assert kept.appeals_count == card.appeals_count == 3 and len(card.appeals) == 3
    assert card.appeals[0].registered_at >= card.appeals[-1].registered_at
    assert kept.postal_address == "ул. Мира, 3"
    gone = await session.get(Correspondent, merged)
    assert gone is not None and gone.merged_into_id == keep and gone.appeals_count == 0
    with pytest.raises(InvalidInput):
        await correspondents.merge(session, keep, merged, actor=SYSTEM)
    assert await correspondents.duplicates_of(session, keep) == []
    # The merged record's keys now lead to the kept one.
    again = await correspondents.find_or_create(session, ContactInput(telegram_id=1001), actor=SYSTEM)
    assert again.id == keep
    events = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.in_(["merged", "correspondent_merged"]))
        )
    ).all()
    assert sorted(events) == ["correspondent_merged", "correspondent_merged", "merged"]


async def test_a_picked_correspondent_is_used_even_without_contacts(session: AsyncSession) -> None:
    # A paper letter from someone known only by name: the clerk picks them in the directory.
    first = await correspondents.find_or_create(session, ContactInput(name="Сидорова Анна"), actor=SYSTEM)
    again = await correspondents.find_or_create(
        session,
        ContactInput(name="Сидорова Анна", existing_id=first.id, phone="8 (916) 000-11-22"),
        actor=SYSTEM,
    )
    assert again.id == first.id and again.phone_normalized == "+79160001122"  # the new phone is kept
    # A name alone, not picked, is not enough to claim it is the same person.
    other = await correspondents.find_or_create(session, ContactInput(name="Сидорова Анна"), actor=SYSTEM)
    assert other.id != first.id
    with pytest.raises(NotFound):
        await correspondents.find_or_create(session, ContactInput(existing_id=999_999), actor=SYSTEM)
