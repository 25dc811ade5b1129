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
    # One rule for the bot profile and the correspondents (services/correspondents/normalize.py):
    assert correspondents.normalize_phone("тел. 8 916 123-45-67") is None  # words are not a number
    assert correspondents.normalize_phone("8 100 123 45 67") is None  # no Russian code starts with 1
    assert correspondents.normalize_phone("375291234567") is None  # a typed foreign number needs «+»
    assert correspondents.normalize_phone("375291234567", international=True) == "+375291234567"
    assert correspondents.normalize_phone("+375 29 123-45-67", foreign=False) is None
    assert correspondents.normalize_email(" Ivanov@Mail.RU ") == "ivanov@mail.ru"
    assert correspondents.normalize_email("не адрес") is None


async def test_only_proofs_find_an_existing_record(session: AsyncSession) -> None:
    for telegram_id in (777, 888, 999):
        await add_account(session, telegram_id)
    find = correspondents.find_or_create
    owner = await find(
        session,
        ContactInput(name="Иванов", telegram_id=777, phone="8 (916) 123-45-67", phone_proven=True),
        actor=SYSTEM,
    )
    # The own Telegram id finds the record; an e-mail typed with it is not added to it.
    same = await find(
        session, ContactInput(name="Иван", telegram_id=777, email="Ivanov@Mail.ru"), actor=SYSTEM
    )
    assert same.id == owner.id and owner.email is None and owner.phone_proven
    # Someone typing the owner's phone gets a record of their own; the owner's stays untouched.
    typed = await find(
        session,
        ContactInput(name="Чужой", telegram_id=888, phone="+79161234567", email="x@y.ru"),
        actor=SYSTEM,
    )
    web = await find(session, ContactInput(name="И. Иванов", phone="+7 916 123-45-67"), actor=SYSTEM)
    assert len({owner.id, typed.id, web.id}) == 3
    assert (owner.telegram_id, owner.email, typed.phone_proven, web.phone_proven) == (777, None, False, False)
    assert (await session.get(TelegramAccount, 888)).correspondent_id == typed.id  # type: ignore[union-attr]
    # A letter's own address finds the record it was proven on, never one where it was only typed.
    letter = await find(
        session, ContactInput(name="Сидорова", email="S@x.ru", email_proven=True), actor=SYSTEM
    )
    again = await find(session, ContactInput(email="s@X.ru", email_proven=True), actor=SYSTEM)
    stranger = await find(session, ContactInput(email="x@y.ru", email_proven=True), actor=SYSTEM)
    assert again.id == letter.id and stranger.id != typed.id
    # A phone proven by a third account links the record nobody holds, not the ones held by others.
    proven = await find(
        session, ContactInput(telegram_id=999, phone="+79161234567", phone_proven=True), actor=SYSTEM
    )
    assert proven.id == web.id and web.telegram_id == 999 and web.phone_proven
    await session.commit()
    actions = (
        await session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "correspondent"))
    ).all()
    assert actions.count("created") == 5


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
    merged = (await register(session, tmp_path, channel="paper", contact=paper)).appeal.correspondent_id
    # A typed address matches nothing by itself: the clerk picks the record for the second letter.
    picked = ContactInput(name="Иванов Иван", existing_id=merged)
    assert (
        await register(session, tmp_path, channel="paper", contact=picked)
    ).appeal.correspondent_id == merged
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
