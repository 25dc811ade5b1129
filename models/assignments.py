"""Assignments (поручения): executors, reports, comments, extension requests, deadline nudges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, partial_index, status_in, utcnow
from models.enums import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, ExtensionStatus, Priority, ReportStatus

OPEN_CONDITION = status_in(OPEN_ASSIGNMENT_STATUSES)  # the partial indexes' "the assignment is open"


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=AssignmentStatus.NEW)
    priority: Mapped[str] = mapped_column(String(8), default=Priority.NORMAL)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    controller_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    executor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("project_stages.id", ondelete="SET NULL"))
    deadline: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    returns_count: Mapped[int] = mapped_column(Integer, default=0)
    # A point of a multi-point резолюция: its number under the parent (``parent_id``).
    point_no: Mapped[int | None] = mapped_column(SmallInteger)
    # The report may be submitted only with every checklist item ticked.
    checklist_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Created by the scheduler from a recurring assignment, or from a template.
    recurring_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_assignments.id", ondelete="SET NULL"), index=True
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment_templates.id", ondelete="SET NULL")
    )
    # The id in the spreadsheet or system it was imported from: re-imports update this row.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    # Optimistic lock: a double press on "accept" changes the row once.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_assignments_executor_status_deadline", "executor_id", "status", "deadline"),
        Index("ix_assignments_controller_status_deadline", "controller_id", "status", "deadline"),
        Index("ix_assignments_department_status_deadline", "department_id", "status", "deadline"),
        Index("ix_assignments_author_status_deadline", "author_id", "status", "deadline"),
        # Overdue now (KPI, digests) and the deadline scan: department and executor in the index, so the
        # open, past-deadline rows are counted per department without visiting the table.
        Index("ix_assignments_status_deadline_cover", "status", "deadline", "department_id", "executor_id"),
        Index("ix_assignments_parent", "parent_id"),
        # The panel's list in creation order, one branch per status (as by deadline above); without
        # it "oldest first" walked the whole creation index past the closed rows (1 s at 1M).
        Index("ix_assignments_status_created", "status", "created_at", "id"),
        # A title search over every status, in deadline order: a word most titles contain is found
        # at the start of this index, one page read instead of every match sorted (0.4 vs 350 ms).
        Index("ix_assignments_deadline", "deadline", "id"),
        # The same over the open ones (the list's default), by deadline and by creation. Walking
        # the full index instead would pass the closed rows first (older deadlines: 1.9 s at 1M).
        partial_index("ix_assignments_open_deadline", "deadline", "id", where=OPEN_CONDITION),
        partial_index("ix_assignments_open_created", "created_at", "id", where=OPEN_CONDITION),
        # Covering indexes for KPI over a period: counted from the index alone, without row lookups.
        Index("ix_assignments_created_cover", "created_at", "department_id", "executor_id"),
        # INCLUDE id: a department's KPI joins events to its assignments from the index alone (PostgreSQL).
        Index("ix_assignments_department_created", "department_id", "created_at", postgresql_include=["id"]),
        # Returns and extension requests in a period -> the assignment's department / executor *now*:
        # a nested loop over this index alone instead of a hash join over the whole table.
        Index("ix_assignments_id_cover", "id", "department_id", "executor_id"),
        Index(
            "ix_assignments_done_cover",
            "done_at",
            "status",
            "deadline",
            "created_at",
            "department_id",
            "executor_id",
        ),
    )


class AssignmentMember(Base):
    """Co-executors and observers attached to an assignment."""

    __tablename__ = "assignment_members"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_assignment_members_user", "user_id"),)


class AssignmentReport(Base):
    __tablename__ = "assignment_reports"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)


class AssignmentComment(Base):
    __tablename__ = "assignment_comments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_comments.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExtensionRequest(Base):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    old_deadline: Mapped[datetime]
    new_deadline: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ExtensionStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # KPI: requests in a period


class DeadlineNudge(Base):
    """One row per (assignment, nudge kind, deadline): the unique key makes nudges idempotent."""

    __tablename__ = "deadline_nudges"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    deadline: Mapped[datetime]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("assignment_id", "kind", "deadline"),)
