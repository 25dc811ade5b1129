"""Letters the e-mail intake could not register: kept whole so a clerk can retry or dismiss them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow

QUARANTINE_PENDING = "pending"
QUARANTINE_REGISTERED = "registered"
QUARANTINE_DISMISSED = "dismissed"


class MailQuarantine(Base):
    """One letter per mailbox position. The raw bytes live in the row (not the files directory) so
    the letter and its record are saved, backed up and restored together."""

    __tablename__ = "mail_quarantine"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_mail_quarantine_position"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Best-effort, cleaned copies for the list; the truth is ``raw``.
    message_id: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(500))
    sender: Mapped[str | None] = mapped_column(String(255))
    error_class: Mapped[str] = mapped_column(String(255))
    error_message: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=QUARANTINE_PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
