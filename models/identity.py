"""The duplicates identity proofs could not settle: "possible duplicate" suggestions a clerk
confirms or dismisses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow


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
