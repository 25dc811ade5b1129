"""The demo museum's mailings: a draft announcement with link buttons, and a sent invitation to the
segment the lead passes (its consented members with a chat get it through the outbox, so the
sandbox shows it, with «Отписаться»). Composed and sent through the services, as a manager would.

The demo's resident who wrote to the bot («Житель Иван», the sandbox's resident) is a confirmed
subscriber with a chat (as if he had pressed «✅ Подтверждаю» in the bot), so «Подписчики новостей»
has a member and the sent mailing reaches him."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, MailingConsent, User
from models.enums import MailingConsentStatus
from services.audience.access import can_manage
from services.audit import Actor
from services.mailings import consent, drafts, sending
from services.telegram_accounts import TelegramProfile, touch_account

DRAFT = drafts.DraftInput(
    title="Анонс: выставка «Северные промыслы»",
    body=(
        "<b>Выставка «Северные промыслы»</b>\n"
        "С 1 по 28 февраля в большом зале — резьба по кости, берестяные туеса и вологодское кружево.\n"
        "<i>Экскурсии по субботам в 12:00.</i>"
    ),
    segment_id=None,
    buttons=[
        ("Подробнее о выставке", "https://museum.example.ru/exhibitions/north"),
        ("Купить билет", "https://museum.example.ru/tickets"),
    ],
)
SENT = drafts.DraftInput(
    title="Приглашение на «Ночь музеев»",
    body=(
        "<b>Ночь музеев</b> — 18 мая с 18:00 до 00:00.\n"
        "Квест по залам, концерт камерного оркестра и мастер-класс по гончарному делу. Вход свободный."
    ),
    segment_id=None,
    buttons=[("Программа вечера", "https://museum.example.ru/night")],
)


async def _subscribe_resident(session: AsyncSession, now: datetime) -> None:
    """The chat and confirmed consent of the first resident who wrote to the bot (audited as his own,
    from the bot)."""
    card = await session.scalar(
        select(Correspondent)
        .where(Correspondent.telegram_id.is_not(None), Correspondent.merged_into_id.is_(None))
        .order_by(Correspondent.id)
        .limit(1)
    )
    if card is None or card.telegram_id is None or await consent.status_of(session, card.id) is not None:
        return
    account = await touch_account(
        session, TelegramProfile(id=card.telegram_id, chat_id=card.telegram_id, first_name=card.name)
    )
    if account.correspondent_id is None:
        account.correspondent_id = card.id
    row = MailingConsent(
        correspondent_id=card.id, channel="telegram", status=MailingConsentStatus.PENDING, requested_at=now
    )
    session.add(row)
    await session.flush()
    await consent.set_status(
        session,
        row,
        MailingConsentStatus.CONFIRMED,
        actor=Actor(telegram_id=card.telegram_id),
        channel="telegram",
        ip=None,
        now=now,
    )


async def seed_mailings(
    session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime, *, segment_id: int | None
) -> None:
    """A draft, and a mailing sent to ``segment_id`` (or to nobody, when no segment is given)."""
    managers = [u for u in (await session.scalars(select(User).order_by(User.id))).all() if can_manage(u)]
    if not managers:
        return
    author = managers[0]
    await drafts.save(session, author, DRAFT)
    sent = await drafts.save(session, author, replace(SENT, segment_id=segment_id))
    if segment_id is None:
        return  # a draft to send once the segments exist
    await _subscribe_resident(session, now)
    await sending.send_now(session, author, sent.id)
    await session.flush()
