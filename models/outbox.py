"""The durable outbound queue: every Telegram message the product sends is a row here first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, partial_index, utcnow
from models.enums import OutboxStatus


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(32), default="sendMessage")
    payload: Mapped[dict[str, Any]]
    # Unique per notice and chat: enqueueing the same notice twice is a no-op.
    dedup_key: Mapped[str | None] = mapped_column(String(191), unique=True)
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    priority: Mapped[int] = mapped_column(SmallInteger, default=100)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The chat the message was first addressed to, when it moved to the person's other messenger.
    moved_from: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When the text was dropped (the notice outlived PORUCHENO_NOTICE_KEEP_DAYS, or its recipient's
    # personal data was erased): the delivery record stays, the payload is empty.
    cleared_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_outbox_status_next", "status", "priority", "next_attempt_at"),
        # An outage's notice batches are found by a name prefix, which no index serves (LIKE on SQLite
        # and under non-C collations): the outage's creation time bounds the scan instead.
        Index("ix_outbox_created", "created_at"),
        # A person's notices by their chat: an erasure blanks their texts (services/privacy/erasure.py).
        Index("ix_outbox_chat", "chat_id"),
        # The notices whose text is still kept, oldest first: the nightly clearing reads only these,
        # and a cleared row leaves the index.
        partial_index("ix_outbox_uncleared", "created_at", where=text("cleared_at IS NULL")),
    )
