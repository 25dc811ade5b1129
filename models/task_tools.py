"""The routine tools of task control: checklists, assignment templates, recurring assignments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, JSONType, utcnow
from models.enums import HolidayPolicy, Priority


class ChecklistItem(Base):
    """One item of an assignment's or a service request's checklist."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    service_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    text: Mapped[str] = mapped_column(String(500))
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("ix_checklist_items_assignment", "assignment_id", "position"),
        Index("ix_checklist_items_request", "service_request_id", "position"),
    )


class AssignmentTemplate(Base):
    """A ready assignment: text, checklist, executor, term; chosen when creating in the bot or panel."""

    __tablename__ = "assignment_templates"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[list[Any]] = mapped_column(JSONType, default=list)  # item texts
    checklist_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    executor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    priority: Mapped[str] = mapped_column(String(8), default=Priority.NORMAL)
    # The term: this many days from creation, working days (on the calendar) or calendar days.
    term_days: Mapped[int] = mapped_column(SmallInteger, default=5)
    term_working: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecurringAssignment(Base):
    """An assignment created by the scheduler on each occurrence of an RFC 5545 rule
    («FREQ=MONTHLY;BYMONTHDAY=5»), with the working-day calendar deciding about holidays."""

    __tablename__ = "recurring_assignments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    checklist_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    controller_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    executor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    priority: Mapped[str] = mapped_column(String(8), default=Priority.NORMAL)
    rrule: Mapped[str] = mapped_column(String(255))
    starts_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    create_at: Mapped[str] = mapped_column(String(5), default="09:00")  # local time of creation
    term_days: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0: due the same day
    term_working: Mapped[bool] = mapped_column(default=True)
    holiday_policy: Mapped[str] = mapped_column(String(16), default=HolidayPolicy.PREVIOUS)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecurrenceRun(Base):
    """One occurrence handled: the unique key makes creation exactly-once across restarts."""

    __tablename__ = "recurrence_runs"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    recurring_id: Mapped[int] = mapped_column(ForeignKey("recurring_assignments.id", ondelete="CASCADE"))
    occurrence: Mapped[date] = mapped_column(Date)  # the rule's own date, before any holiday shift
    scheduled_for: Mapped[date | None] = mapped_column(Date)  # after the shift; None: skipped
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("recurring_id", "occurrence"),)
