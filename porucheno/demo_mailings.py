"""The demo museum's mailings: a draft announcement with link buttons, and a sent invitation to the
segment the lead passes (its consented members with a chat get it through the outbox, so the
sandbox shows it, with «Отписаться»). Composed and sent through the services, as a manager would."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User
from services.audience.access import can_manage
from services.audit import Actor
from services.mailings import drafts, sending

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
    await sending.send_now(session, author, sent.id)
    await session.flush()
