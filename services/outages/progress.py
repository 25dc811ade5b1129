"""Broadcast progress in the dispatcher's published preview: «sent 4 500 of 10 000», then the result.

A scheduler job (:func:`queue_progress_edits`, every few seconds) queues an ``editMessageText``
through the outbox for each outage whose preview is still to be finalised. Throttling lives in the
database, so restarts and several processes cannot break it:

- one edit at a time per message: nothing is queued while the previous edit is still pending, so
  with the job's interval a message is edited at most once per interval (Telegram allows ~1/s);
- an unchanged count is not queued twice (the dedup key carries the count);
- the final edit's dedup key is fixed, so it is queued exactly once, and its presence ends the work.
Edits go before the residents' notices (a lower priority value), so progress is not stuck behind them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Outage, OutboxMessage, TelegramAccount, User
from models.enums import OutboxStatus
from services import outbox
from services.notify import NoticeContext, Translator, inline_keyboard
from services.outages.card import published_text
from services.outages.lifecycle import buildings_of
from services.outages.notices import READER_LOCALE, batch_name
from services.outbox import BatchProgress

INTERVAL_SECONDS = 3
EDIT_PRIORITY = 10  # before notices (100): the dispatcher watches this message
# A preview older than this is left as it is (a broadcast takes minutes, not days).
WINDOW = timedelta(days=2)


def progress_batch(outage_id: int) -> str:
    return f"outage:{outage_id}:progress"


def final_key(outage_id: int) -> str:
    return f"{progress_batch(outage_id)}:final"


def card_data(outage_id: int) -> str:
    """The button under the progress message opens the outage's card as a new message; the bot's
    ``OutageCallback(act=OutageAct.SHOW, id=...)`` packs to exactly this string."""
    return f"dso:show:{outage_id}:0"


def card_markup(outage_id: int, t: Translator) -> dict[str, object]:
    return inline_keyboard([[(t("📋 Outage card"), card_data(outage_id))]])


async def _reader_locale(session: AsyncSession, chat_id: int, ctx: NoticeContext) -> str:
    locale = await session.scalar(
        select(READER_LOCALE)
        .select_from(TelegramAccount)
        .outerjoin(User, User.id == TelegramAccount.user_id)
        .where(TelegramAccount.chat_id == chat_id)
        .limit(1)
    )
    return locale or ctx.default_locale


async def progress_text(
    session: AsyncSession, outage: Outage, progress: BatchProgress, t: Translator, ctx: NoticeContext
) -> str:
    return published_text(outage, await buildings_of(session, outage.id), progress, t, ctx)


async def queue_progress_edits(session: AsyncSession, ctx: NoticeContext, now: datetime) -> int:
    """Queue the due edits; returns how many were queued. The caller commits."""
    outages = (
        await session.scalars(
            select(Outage).where(
                Outage.progress_message_id.is_not(None),
                Outage.progress_chat_id.is_not(None),
                Outage.published_at >= now - WINDOW,
            )
        )
    ).all()
    if not outages:
        return 0
    ids = [o.id for o in outages]
    finished = set(
        (
            await session.scalars(
                select(OutboxMessage.dedup_key).where(
                    OutboxMessage.dedup_key.in_([final_key(i) for i in ids])
                )
            )
        ).all()
    )
    waiting = set(
        (
            await session.scalars(
                select(OutboxMessage.batch).where(
                    OutboxMessage.batch.in_([progress_batch(i) for i in ids]),
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
            )
        ).all()
    )
    queued = 0
    for outage in outages:
        if final_key(outage.id) in finished or progress_batch(outage.id) in waiting:
            continue
        progress = await outbox.batch_progress(session, batch_name(outage.id, "publish"))
        done = progress.pending == 0
        key = (
            final_key(outage.id)
            if done
            else f"{progress_batch(outage.id)}:{progress.total - progress.pending}"
        )
        chat_id = int(outage.progress_chat_id or 0)
        t = Translator(await _reader_locale(session, chat_id, ctx))
        payload = {
            "chat_id": chat_id,
            "message_id": outage.progress_message_id,
            "text": (await progress_text(session, outage, progress, t, ctx))[: outbox.TEXT_LIMIT],
            "reply_markup": card_markup(outage.id, t),
        }
        message = outbox.OutgoingMessage(chat_id, payload, method="editMessageText", dedup_key=key)
        if await outbox.enqueue(session, message, batch=progress_batch(outage.id), priority=EDIT_PRIORITY):
            queued += 1
    return queued
