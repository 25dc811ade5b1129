"""A person's messenger accounts, the channel their notices go to, and invite links per messenger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Correspondent, TelegramAccount, User
from services import messenger_accounts as ma
from services.audit import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.messengers import Messenger, max_address
from services.staff import create_user

SYSTEM = Actor.system("test")
MAX_ID = max_address(4242)
BLOCKED = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


def account(address: int, *, messenger: str = "telegram", **fields: object) -> TelegramAccount:
    return TelegramAccount(id=address, chat_id=address, messenger=messenger, **fields)


async def people(session: AsyncSession) -> tuple[User, User, User]:
    """An administrator, a clerk, and a staff member bound in both messengers."""
    admin = await create_user(session, SYSTEM, full_name="Админ", roles=["admin"])
    clerk = await create_user(session, SYSTEM, full_name="Клерк", roles=["clerk"])
    both = await create_user(session, SYSTEM, full_name="Иван Двойной", telegram_id=555)
    session.add_all(
        [
            account(555, user_id=both.id, first_name="Иван", username="ivan_tg"),
            account(
                MAX_ID,
                messenger="max",
                user_id=both.id,
                first_name="Иван",
                last_name="Макс",
                blocked_at=BLOCKED,
            ),
        ]
    )
    await session.flush()
    return admin, clerk, both


async def test_accounts_of_a_user_in_both_messengers(session: AsyncSession) -> None:
    _admin, clerk, both = await people(session)
    views = await ma.accounts_of_user(session, both.id)
    assert [(v.messenger, v.address) for v in views] == [(Messenger.TELEGRAM, 555), (Messenger.MAX, MAX_ID)]
    tg, mx = views
    assert (tg.display_name, tg.username, tg.blocked_at) == ("Иван", "ivan_tg", None)
    assert (mx.display_name, mx.messenger_name, mx.blocked_at) == ("Иван Макс", "MAX", BLOCKED)
    assert tg.last_seen_at is not None
    assert ma.messengers_of(views) == [Messenger.TELEGRAM, Messenger.MAX]
    assert await ma.accounts_of_user(session, clerk.id) == []
    assert await ma.accounts_of_user(session, 10**9) == []


async def test_the_bound_id_counts_even_without_a_link_or_a_row(session: AsyncSession) -> None:
    # telegram_id points at an account whose user_id was never set; another user has a bare id.
    linked = await create_user(session, SYSTEM, full_name="Пётр", telegram_id=MAX_ID)
    bare = await create_user(session, SYSTEM, full_name="Без строки", telegram_id=777)
    session.add(account(MAX_ID, messenger="max", username="petr"))
    await session.flush()
    (view,) = await ma.accounts_of_user(session, linked.id)
    assert (view.messenger, view.username) == (Messenger.MAX, "petr")
    (view,) = await ma.accounts_of_user(session, bare.id)
    assert (view.messenger, view.address, view.display_name) == (Messenger.TELEGRAM, 777, "777")


async def test_accounts_of_a_correspondent(session: AsyncSession) -> None:
    person = Correspondent(name="Мария", telegram_id=MAX_ID)
    other = Correspondent(name="Чужой")
    session.add_all([person, other])
    await session.flush()
    session.add_all(
        [
            account(MAX_ID, messenger="max", first_name="Мария"),  # known by telegram_id only
            account(9001, correspondent_id=person.id, username="maria"),
            account(9002, correspondent_id=other.id),
        ]
    )
    await session.flush()
    views = await ma.accounts_of_correspondent(session, person.id)
    assert [(v.messenger, v.address) for v in views] == [(Messenger.TELEGRAM, 9001), (Messenger.MAX, MAX_ID)]
    assert await ma.accounts_of_correspondent(session, 10**9) == []


async def test_set_preferred_for_staff_validates_checks_rights_and_audits(session: AsyncSession) -> None:
    admin, clerk, both = await people(session)
    by_admin = Actor(user_id=admin.id)
    assert (
        await ma.set_preferred_messenger(session, by_admin, user_id=both.id, messenger="max") is Messenger.MAX
    )
    assert both.preferred_messenger == "max"
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "preferred_messenger_set"))
    assert event is not None
    assert (event.entity_type, event.entity_id, event.actor_user_id) == ("user", both.id, admin.id)
    assert (event.old_state, event.new_state) == (None, "max")
    assert event.data == {"changes": {"preferred_messenger": [None, "max"]}}

    # The same value again changes nothing and writes nothing.
    await ma.set_preferred_messenger(session, by_admin, user_id=both.id, messenger=Messenger.MAX)
    # Back to «the first bound».
    assert await ma.set_preferred_messenger(session, by_admin, user_id=both.id, messenger="") is None
    assert both.preferred_messenger is None
    events = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "preferred_messenger_set"))
    ).all()
    assert [(e.old_state, e.new_state) for e in events] == [(None, "max"), ("max", None)]

    with pytest.raises(InvalidInput) as bad:
        await ma.set_preferred_messenger(session, by_admin, user_id=both.id, messenger="whatsapp")
    assert bad.value.params["field"] == "messenger"
    with pytest.raises(PermissionDenied):
        await ma.set_preferred_messenger(session, Actor(user_id=clerk.id), user_id=both.id, messenger="max")
    with pytest.raises(ma.MessengerNotBound) as unbound:
        await ma.set_preferred_messenger(session, by_admin, user_id=clerk.id, messenger="telegram")
    assert unbound.value.params["messenger"] == "Telegram"
    with pytest.raises(NotFound):
        await ma.set_preferred_messenger(session, by_admin, user_id=10**9, messenger=None)
    assert clerk.preferred_messenger is None


async def test_set_preferred_for_a_correspondent(session: AsyncSession) -> None:
    admin, clerk, both = await people(session)
    person = Correspondent(name="Мария", telegram_id=9001)
    session.add(person)
    await session.flush()
    session.add(account(9001, correspondent_id=person.id))
    await session.flush()
    with pytest.raises(ma.MessengerNotBound):
        await ma.set_preferred_messenger(
            session, Actor(user_id=clerk.id), correspondent_id=person.id, messenger="max"
        )
    session.add(account(max_address(77), messenger="max", correspondent_id=person.id))
    await session.flush()
    for actor in (Actor(user_id=clerk.id), Actor(user_id=admin.id)):
        await ma.set_preferred_messenger(session, actor, correspondent_id=person.id, messenger="max")
    assert person.preferred_messenger == "max"
    event = await session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "correspondent"))
    assert event is not None and (event.entity_id, event.actor_user_id, event.new_state) == (
        person.id,
        clerk.id,
        "max",
    )
    # An executor, an anonymous actor: refused.
    for actor in (Actor(user_id=both.id), SYSTEM):
        with pytest.raises(PermissionDenied):
            await ma.set_preferred_messenger(session, actor, correspondent_id=person.id, messenger="telegram")
    with pytest.raises(ValueError):
        await ma.set_preferred_messenger(session, SYSTEM, messenger=None)


@dataclass
class Bots:
    bot_username: str = "porucheno_bot"
    max_token: str = ""
    max_bot_username: str = ""


def test_invite_links_with_and_without_max() -> None:
    token = "AbC-123_xyz"
    assert ma.invite_links(Bots(), token) == [
        (Messenger.TELEGRAM, f"https://t.me/porucheno_bot?start=inv_{token}")
    ]
    # A token alone or a name alone does not enable MAX.
    assert len(ma.invite_links(Bots(max_token="t"), token)) == 1
    assert len(ma.invite_links(Bots(max_bot_username="porucheno"), token)) == 1
    links = ma.invite_links(Bots(max_token="t", max_bot_username="porucheno"), token)
    assert links == [
        (Messenger.TELEGRAM, f"https://t.me/porucheno_bot?start=inv_{token}"),
        (Messenger.MAX, f"https://max.ru/porucheno?start=inv_{token}"),
    ]


def test_invite_links_from_the_settings(settings: object) -> None:
    from porucheno.settings import Settings

    assert isinstance(settings, Settings)
    enabled = settings.model_copy(update={"max_token": "tok", "max_bot_username": "porucheno_max"})
    assert [m for m, _ in ma.invite_links(settings, "t")] == [Messenger.TELEGRAM]
    assert ma.invite_links(enabled, "t")[1] == (Messenger.MAX, "https://max.ru/porucheno_max?start=inv_t")
