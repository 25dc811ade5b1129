"""What the MAX adapter must remember across restarts: MAX names messages and files by strings,
while the code above it (aiogram's types, the outbox, progress edits) keeps integer message ids and
short file ids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow


class MaxMessageRef(Base):
    """A MAX message id (``mid``, a string) behind the integer message id the product uses."""

    __tablename__ = "max_message_refs"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    mid: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # the chat address
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaxFileRef(Base):
    """A file MAX showed us: the reusable token and the download URL behind a short file id."""

    __tablename__ = "max_file_refs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # image | file | video | audio | sticker
    token: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
