"""Identity proofs and the duplicates they could not settle: e-mail confirmation codes and the
"possible duplicate" suggestions a clerk confirms or dismisses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow


class EmailCode(Base):
    """A one-time code sent to an e-mail address a Telegram user typed; only a salted hash is kept."""

    __tablename__ = "email_codes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class CorrespondentSuggestion(Base):
    """An appeal's record looks like another person's record (a typed contact matches): a clerk
    merges the two (confirm) or says they are different people (dismiss)."""

    __tablename__ = "correspondent_suggestions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    correspondent_id: Mapped[int] = mapped_column(
        ForeignKey("correspondents.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(ForeignKey("correspondents.id", ondelete="CASCADE"), index=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(16))  # phone | email
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | confirmed | dismissed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_correspondent_suggestions_status", "status", "created_at"),)
