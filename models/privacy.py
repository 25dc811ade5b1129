"""Personal data (152-FZ): the consent text's versions, the consent log, erasures and who looked.

Since 1.09.2025 the consent is a separate document: its text is versioned and every «agree» or
«decline» is logged with the version the person saw, so the organisation can show what was agreed.
A consent is specific to its purpose (152-FZ art. 9): each purpose (appeals, the institution's
activities) has its own text with its own versions, and a decision names the purpose and the version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow


class ConsentText(Base):
    """One published version of one purpose's consent text; older versions stay readable."""

    __tablename__ = "consent_texts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), default="appeals", server_default="appeals")
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the purpose
    text_ru: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_current: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (UniqueConstraint("purpose", "version"),)

    # Not stored: the operator's name the text names, filled in when the text is loaded for showing
    # (services.privacy.consent), so a synchronous renderer can put it in the document.
    operator = ""


class ConsentRecord(Base):
    """One decision of a person about one version of the consent text (the consent log)."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))  # telegram | max | web | email | paper | ...
    purpose: Mapped[str] = mapped_column(String(32), default="appeals", server_default="appeals")
    consent_version: Mapped[int] = mapped_column(Integer)  # the version within ``purpose``
    correspondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("correspondents.id", ondelete="SET NULL"), index=True
    )
    telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    ip: Mapped[str | None] = mapped_column(String(45))
    decision: Mapped[str] = mapped_column(String(16))  # given | refused | withdrawn

    __table_args__ = (Index("ix_consent_records_telegram_version", "telegram_id", "consent_version"),)


class PdErasure(Base):
    """A correspondent whose identity was removed (on request or at the end of retention)."""

    __tablename__ = "pd_erasures"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    correspondent_id: Mapped[int] = mapped_column(
        ForeignKey("correspondents.id", ondelete="CASCADE"), unique=True
    )
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    by_retention: Mapped[bool] = mapped_column(default=False, server_default=false())


class PdAccessLog(Base):
    """Who opened or exported whose personal data, and when."""

    __tablename__ = "pd_access_log"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # None: an export of many records (the correspondents list).
    correspondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("correspondents.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))  # view_card | export | erase | list_export
    ip: Mapped[str | None] = mapped_column(String(45))
