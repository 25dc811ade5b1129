"""Enumerations stored as strings (no native DB enums: adding a value needs no migration)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CONTROLLER = "controller"
    EXECUTOR = "executor"
    DISPATCHER = "dispatcher"
    CLERK = "clerk"


class CorrespondentKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class AppealChannel(StrEnum):
    TELEGRAM = "telegram"
    EMAIL = "email"
    WEB = "web"
    OPEN311 = "open311"
    PAPER = "paper"
    PHONE = "phone"


class AppealStatus(StrEnum):
    REGISTERED = "registered"
    IN_WORK = "in_work"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"


class AssignmentStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ON_REVIEW = "on_review"
    RETURNED = "returned"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN_ASSIGNMENT_STATUSES = (
    AssignmentStatus.NEW,
    AssignmentStatus.ACKNOWLEDGED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.ON_REVIEW,
    AssignmentStatus.RETURNED,
)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class MemberRole(StrEnum):
    CO_EXECUTOR = "co_executor"
    OBSERVER = "observer"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OutageKind(StrEnum):
    ACCIDENT = "accident"
    PLANNED = "planned"


class OutageStatus(StrEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    ACTIVE = "active"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class SignalStatus(StrEnum):
    NEW = "new"
    LINKED = "linked"
    DISMISSED = "dismissed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries
    DROPPED = "dropped"  # recipient blocked the bot (403)


class ProjectStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    DONE = "done"


class CategoryAudience(StrEnum):
    """Who may choose an appeal category: residents, staff, or both."""

    BOTH = "both"
    RESIDENTS = "residents"
    STAFF = "staff"
