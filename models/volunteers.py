"""Volunteers: the base from the questionnaire, their availability, shifts at events, hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, JSONType, utcnow
from models.enums import VolunteerShiftStatus, VolunteerStatus


class Volunteer(Base):
    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    correspondent_id: Mapped[int] = mapped_column(
        ForeignKey("correspondents.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=VolunteerStatus.CANDIDATE)
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Weekdays and parts of the day: {"mon": ["morning", "evening"], ...}; dates away are in notes.
    availability: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The latest questionnaire answer it was built from.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("form_submissions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class VolunteerShift(Base):
    """A volunteer assigned to an event (a role and a time); hours count once it is done."""

    __tablename__ = "volunteer_shifts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("museum_events.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(255), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=VolunteerShiftStatus.ASSIGNED)
    # Hours actually worked (set when marked done; defaults to the shift's length).
    hours: Mapped[float | None] = mapped_column(Float)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("volunteer_id", "event_id"),
        Index("ix_volunteer_shifts_volunteer", "volunteer_id", "starts_at"),
    )
