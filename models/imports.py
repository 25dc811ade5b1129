"""Import jobs started in the panel: the uploaded file, how far the run got, and its report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow


class ImportJob(Base):
    """One upload: first run as a dry run, then (when confirmed) for real from the same stored file.

    A background task updates ``rows_done`` between chunks, so the page can show progress.
    """

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    oktmo: Mapped[str | None] = mapped_column(String(11))
    dry_run: Mapped[bool] = mapped_column(default=True)
    # queued -> running -> done | failed; a confirmed dry run goes back to queued as a real run.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
