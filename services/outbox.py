"""The durable outbox: every notification is stored first, then sent by the outbox sender.

Enqueueing happens in the caller's transaction, so a notice exists exactly when the change that
caused it was committed. ``dedup_key`` makes enqueueing idempotent (a retried job or a double press
cannot queue the same notice for the same chat twice).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage, utcnow
from models.db import signal_on_commit
from models.enums import OutboxStatus
from services.html_cut import cut_html
from services.messenger_routing import (
    ROUTABLE_METHODS,
    BlockOutcome,
    preferred_addresses,
    reroute_blocked,
    reroute_undeliverable,
)
from services.messengers import MAX_OFFSET, Messenger

MAX_ATTEMPTS = 8
TEXT_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    chat_id: int
    payload: dict[str, Any]
    method: str = "sendMessage"
    dedup_key: str | None = None


def text_message(
    chat_id: int, text: str, *, reply_markup: dict[str, Any] | None = None, dedup_key: str | None = None
) -> OutgoingMessage:
    payload: dict[str, Any] = {"chat_id": chat_id, "text": cut_html(text, TEXT_LIMIT)}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    return OutgoingMessage(chat_id=chat_id, payload=payload, dedup_key=dedup_key)


# Announced when a transaction that queued messages commits (models/db.py ``on_commit``).
OUTBOX_SIGNAL = "outbox"


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def enqueue_many(
    session: AsyncSession,
    messages: Iterable[OutgoingMessage],
    *,
    batch: str | None = None,
    priority: int = 100,
    not_before: datetime | None = None,
) -> int:
    """Queue messages; ones whose dedup_key is already queued are skipped. Returns how many were new.

    A new message goes to its person's preferred messenger (services/messenger_routing.py); two
    identical messages that end up in the same chat are queued once."""
    now = utcnow()
    messages = await _routed(session, list(messages))
    rows = [
        {
            "chat_id": m.chat_id,
            "method": m.method,
            "payload": m.payload,
            "dedup_key": m.dedup_key,
            "batch": batch,
            "priority": priority,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": not_before or now,
            "created_at": now,
        }
        for m in messages
    ]
    if not rows:
        return 0
    table = OutboxMessage.__table__
    stmt = _insert(session)(table).on_conflict_do_nothing(index_elements=["dedup_key"])
    if session.bind.dialect.name != "sqlite":
        # asyncpg reports no row count for a batch: the ids it returns are counted instead (SQLAlchemy
        # sends the rows as multi-row INSERTs, one round trip per batch).
        stmt = stmt.returning(table.c.id)
        inserted = 0
        for start in range(0, len(rows), 500):
            inserted += len((await session.execute(stmt, rows[start : start + 500])).all())
    else:
        # SQLite prepares the one-row INSERT once and runs it per row, and counts the rows it
        # inserted (a skipped duplicate changes none). With RETURNING, SQLAlchemy built and SQLite
        # prepared a 500-row statement per batch: ~18 µs a row against ~5.
        result = await session.execute(stmt, rows)
        inserted = result.rowcount  # type: ignore[attr-defined]
    if inserted:
        signal_on_commit(session, OUTBOX_SIGNAL)  # the sender wakes at commit, not at its next poll
    return inserted


async def _routed(session: AsyncSession, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
    routable = {m.chat_id for m in messages if m.method in ROUTABLE_METHODS}
    routes = await preferred_addresses(session, routable) if routable else {}
    if all(target == address for address, target in routes.items()):
        return messages
    # Someone's notices moved: the same notice for both of a person's chats is one notice now.
    result: list[OutgoingMessage] = []
    seen: set[tuple[int, str, str]] = set()
    for message in messages:
        target = routes.get(message.chat_id, message.chat_id)
        if target != message.chat_id:
            message = replace(message, chat_id=target, payload={**message.payload, "chat_id": target})
        key = (message.chat_id, message.method, json.dumps(message.payload, sort_keys=True, default=str))
        if key in seen:
            continue
        seen.add(key)
        result.append(message)
    return result


async def enqueue(session: AsyncSession, message: OutgoingMessage, **kwargs: Any) -> bool:
    return await enqueue_many(session, [message], **kwargs) == 1


def _of_messenger(messenger: Messenger | None) -> list[ColumnElement[bool]]:
    """Each messenger's sender reads only its own chats (services/messengers.py: address ranges)."""
    if messenger is None:
        return []
    in_max = or_(OutboxMessage.chat_id >= MAX_OFFSET, OutboxMessage.chat_id <= -MAX_OFFSET)
    return [in_max if messenger is Messenger.MAX else ~in_max]


async def due_messages(
    session: AsyncSession, *, now: datetime, limit: int, messenger: Messenger | None = None
) -> Sequence[OutboxMessage]:
    return (await session.scalars(_due(now, limit, messenger))).all()


def _due(now: datetime, limit: int, messenger: Messenger | None) -> Select[tuple[OutboxMessage]]:
    """What is due now, most urgent first."""
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            *_of_messenger(messenger),
        )
        .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    messenger: Messenger | None = None,
) -> Sequence[OutboxMessage]:
    """Claim up to ``limit`` due messages: each is held (``next_attempt_at`` moved to ``now + lease``)
    so no other sender reads it until the claim expires; the claim is short, so what a killed sender
    had claimed is soon due again, and :func:`take_lease` turns it into the send's lease only if
    it is still ours. The caller commits.

    On PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED``: N senders claiming at once
    each get different rows and never wait for each other. SQLite has one writer at a time anyway:
    there each row is taken with a conditional UPDATE (a stale read cannot take it twice)."""
    if session.bind.dialect.name == "postgresql":
        query = _due(now, limit, messenger).with_for_update(skip_locked=True)
        rows = (await session.scalars(query)).all()
        if rows:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([m.id for m in rows]))
                .values(next_attempt_at=now + lease)
                .execution_options(synchronize_session=False)
            )
        return rows
    due = await due_messages(session, now=now, limit=limit, messenger=messenger)
    return [m for m in due if await claim(session, m.id, now=now, lease=lease)]


async def take_lease(
    session: AsyncSession, message_id: int, *, held_until: datetime, now: datetime, lease: timedelta
) -> bool:
    """Turn a claim (``claim_due`` with the lease ending at ``held_until``) into the lease of the
    send itself, right before the request. A claim that expired and was taken by another sender
    no longer carries our ``held_until``: then this answers False and the message is left alone."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at == held_until,
        )
        .values(next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def release(session: AsyncSession, message_id: int, *, held_until: datetime, until: datetime) -> None:
    """Hand back a claimed message not sent now, due again at ``until`` (only if still ours)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at == held_until,
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )


async def next_due_at(session: AsyncSession, messenger: Messenger | None = None) -> datetime | None:
    return await session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING, *_of_messenger(messenger)
        )
    )


async def claim(session: AsyncSession, message_id: int, *, now: datetime, lease: timedelta) -> bool:
    """Take a due message for sending. The conditional update makes a stale read (or a second
    sender process) unable to send it again; if this process dies mid-send, the lease expires and
    the message is tried again, so nothing is lost."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def mark_sent(session: AsyncSession, message_id: int, telegram_message_id: int | None) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=OutboxStatus.SENT,
            sent_at=utcnow(),
            telegram_message_id=telegram_message_id,
            attempts=OutboxMessage.attempts + 1,
        )
    )


# Marks a message deferred by a 429: a restarted sender reads it to keep Telegram's pause.
RETRY_AFTER_MARK = "429 retry_after"


async def defer(
    session: AsyncSession, message_id: int, until: datetime, *, reason: str | None = None
) -> None:
    """Not a failure: the chat's own rate (or a global 429) says later."""
    values: dict[str, Any] = {"next_attempt_at": until}
    if reason is not None:
        values["last_error"] = reason[:2000]
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


async def pause_until(
    session: AsyncSession, now: datetime, messenger: Messenger | None = None
) -> datetime | None:
    """The end of a global 429 pause still running (set by this or a previous sender process)."""
    return await session.scalar(
        select(func.max(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.last_error.startswith(RETRY_AFTER_MARK),
            OutboxMessage.next_attempt_at > now,
            *_of_messenger(messenger),
        )
    )


async def mark_retry(session: AsyncSession, message: OutboxMessage, error: str) -> None:
    """Back off exponentially (2 s … ~4 min); after MAX_ATTEMPTS the messenger is given up on for
    this message, which goes to the person's other messenger or e-mail, else fails."""
    attempts = message.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000]}
    if attempts >= MAX_ATTEMPTS:
        values["status"] = OutboxStatus.FAILED
    else:
        values["next_attempt_at"] = utcnow() + timedelta(seconds=min(2**attempts, 240))
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))
    if attempts >= MAX_ATTEMPTS:
        await reroute_undeliverable(session, message.id, error)


async def mark_blocked(session: AsyncSession, chat_id: int, error: str) -> BlockOutcome:
    """403: the user blocked the bot. Remember it; what is queued for them moves to their other
    messenger or e-mail, else is dropped (services/messenger_routing.py)."""
    return await reroute_blocked(session, chat_id, error)


async def mark_failed(session: AsyncSession, message_id: int, error: str) -> None:
    """A request Telegram will never accept (400): retrying cannot help."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OutboxStatus.FAILED, last_error=error[:2000], attempts=OutboxMessage.attempts + 1)
    )


@dataclass(frozen=True, slots=True)
class BatchProgress:
    total: int
    sent: int
    dropped: int
    failed: int

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.dropped - self.failed


async def batch_progress(session: AsyncSession, batch: str) -> BatchProgress:
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.batch == batch)
        .group_by(OutboxMessage.status)
    )
    counts = {status: n for status, n in rows.all()}
    return BatchProgress(
        total=sum(counts.values()),
        sent=counts.get(OutboxStatus.SENT, 0),
        dropped=counts.get(OutboxStatus.DROPPED, 0),
        failed=counts.get(OutboxStatus.FAILED, 0),
    )
