"""The rules of the consent to mailings, in the service: what a request sends and when, who may
answer a bot button, and that every change lands in the audit with its channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Correspondent, MailOutbox, OutboxMessage, TelegramAccount, utcnow
from services.audit import Actor
from services.errors import InvalidInput, NotFound
from services.mailings import consent, consent_links
from services.notify import NoticeContext

CTX = NoticeContext(panel_url="https://panel.example.org/")
ACTOR = Actor(label="web-form")


async def _person(
    session: AsyncSession, name: str, *, telegram_id: int | None = None, email: str | None = None
) -> int:
    if telegram_id is not None:
        session.add(TelegramAccount(id=telegram_id, chat_id=telegram_id, first_name=name))
    card = Correspondent(name=name, name_search=name.casefold(), telegram_id=telegram_id, email=email)
    session.add(card)
    await session.flush()
    return card.id


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_telegram_first_then_resend_rules(session: AsyncSession) -> None:
    card = await _person(session, "Анна", telegram_id=501, email="anna@example.org")
    row = await consent.request(session, correspondent_id=card, channel="form", actor=ACTOR, notify=CTX)
    assert row.status == "pending"
    message = (await session.scalars(select(OutboxMessage))).one()
    assert message.chat_id == 501  # the bot, not the e-mail, when a chat is known
    buttons = message.payload["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [f"mc:yes:{row.id}", f"mc:no:{row.id}"]
    assert await _count(session, MailOutbox) == 0

    # A double submit sends nothing new; later, the reminder goes again.
    await consent.request(session, correspondent_id=card, channel="form", actor=ACTOR, notify=CTX)
    assert await _count(session, OutboxMessage) == 1
    later = utcnow() + timedelta(hours=1)
    await consent.request(session, correspondent_id=card, channel="form", actor=ACTOR, notify=CTX, now=later)
    assert await _count(session, OutboxMessage) == 2

    # Only the person asked may press: another account's press is refused.
    await _person(session, "Чужой", telegram_id=502)
    with pytest.raises(NotFound):
        await consent.answer_from_chat(session, row.id, telegram_id=502, accept=True)
    change = await consent.answer_from_chat(session, row.id, telegram_id=501, accept=True)
    assert change.changed and await consent.has_confirmed(session, card)

    # Confirmed stays confirmed: a new request sends nothing.
    await consent.request(
        session, correspondent_id=card, channel="form", actor=ACTOR, notify=CTX, now=later + timedelta(days=1)
    )
    assert await _count(session, OutboxMessage) == 2

    # Withdrawn: a stale «confirm» press cannot bring it back; a new explicit request asks again.
    await consent.withdraw(session, card, actor=Actor(telegram_id=501), channel="telegram")
    with pytest.raises(InvalidInput):
        await consent.answer_from_chat(session, row.id, telegram_id=501, accept=True)
    assert not await consent.has_confirmed(session, card)
    await consent.request(
        session, correspondent_id=card, channel="telegram", actor=Actor(telegram_id=501), notify=CTX
    )
    assert (await consent.status_of(session, card)).status == "pending"  # type: ignore[union-attr]
    assert await _count(session, OutboxMessage) == 3

    trail = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "mailing_consent").order_by(AuditEvent.id)
        )
    ).all()
    assert [(e.action, e.data["channel"]) for e in trail] == [
        ("requested", "form"),
        ("requested", "form"),
        ("confirmed", "telegram"),
        ("withdrawn", "telegram"),
        ("requested", "telegram"),
    ]


async def test_email_confirmation_link_and_no_contact(session: AsyncSession) -> None:
    card = await _person(session, "Борис", email="boris@example.org")
    row = await consent.request(
        session, correspondent_id=card, channel="web", actor=ACTOR, ip="198.51.100.1", notify=CTX
    )
    letter = (await session.scalars(select(MailOutbox))).one()
    assert letter.to_address == "boris@example.org" and "https://panel.example.org/m/confirm/" in letter.body
    token = letter.body.split("/m/confirm/")[1].split()[0]
    assert row.token_hash == consent.token_hash(token) and token not in (row.token_hash or "")
    with pytest.raises(InvalidInput):  # a week and a day later: expired
        await consent_links.confirm_by_token(
            session, token, ip=None, notify=CTX, now=utcnow() + timedelta(days=8)
        )
    await consent_links.confirm_by_token(session, token, ip="198.51.100.2", notify=CTX)
    assert await consent.has_confirmed(session, card)
    with pytest.raises(InvalidInput):  # single use
        await consent_links.confirm_by_token(session, token, ip=None, notify=CTX)

    nobody = await _person(session, "Без контактов")
    with pytest.raises(InvalidInput):
        await consent.request(session, correspondent_id=nobody, channel="panel", actor=ACTOR, notify=CTX)
    assert await consent.status_of(session, nobody) is None


async def test_a_blocked_chat_falls_back_to_e_mail(session: AsyncSession) -> None:
    card = await _person(session, "Вера", telegram_id=601, email="vera@example.org")
    account = await session.get(TelegramAccount, 601)
    assert account is not None
    account.blocked_at = utcnow()
    await consent.request(
        session, correspondent_id=card, channel="form", actor=ACTOR, telegram_id=601, notify=CTX
    )
    assert await _count(session, OutboxMessage) == 0 and await _count(session, MailOutbox) == 1
