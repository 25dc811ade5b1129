"""The working-time calendar: hours per weekday and the days that differ from the usual week.

Public holidays and the government's transferred working days come from the ``holidays`` library
(see ``services.work_calendar``); a ``CalendarDay`` row overrides it for one date: the yearly
decree an administrator types in, an organisation's own day off, a shortened day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow


class WorkHours(Base):
    """Working hours of one weekday (0 Monday … 6 Sunday) as local «HH:MM»; no row: a day off."""

    __tablename__ = "work_hours"

    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """One date that is not as the week and the library say (``CalendarDayKind``)."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(255), default="")
    # Hours of a working or shortened day when they differ from the weekday's («HH:MM»).
    starts: Mapped[str | None] = mapped_column(String(5))
    ends: Mapped[str | None] = mapped_column(String(5))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
