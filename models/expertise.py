"""Applications decided by reviewers and an expert council («памятник науки и техники»): types,
applications, reviews, council meetings with agenda and votes, and the public registry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, JSONType, utcnow
from models.enums import ApplicationStatus, MeetingStatus


class ApplicationType(Base):
    """A kind of application: who reviews it, how it is scored, whether a council decides."""

    __tablename__ = "application_types"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_ru: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255), default="")
    # Scores each reviewer gives, per criterion: [{"key", "ru", "en", "max"}]; empty: one overall score.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    score_max: Mapped[int] = mapped_column(SmallInteger, default=10, server_default="10")
    # True: reviewed applications go to an expert council's agenda; False: the type's decider decides.
    needs_council: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Approved applications enter the public registry.
    to_registry: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationReviewer(Base):
    """A staff user who reviews the applications of a type (appointed to each new one)."""

    __tablename__ = "application_reviewers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("application_types.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("type_id", "user_id"),)


class Application(Base):
    """An application from a form answer (or entered in the panel), decided and answered."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # «З-2026-0001»
    type_id: Mapped[int] = mapped_column(ForeignKey("application_types.id", ondelete="RESTRICT"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("form_submissions.id", ondelete="SET NULL"))
    correspondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("correspondents.id", ondelete="SET NULL"), index=True
    )
    # What is applied for (the object's name) and who applies (a museum's name).
    title: Mapped[str] = mapped_column(String(500))
    applicant_org: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # Where the decision is sent: the channel it came from.
    channel: Mapped[str] = mapped_column(String(16))  # SubmissionChannel
    telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.SUBMITTED)
    decision: Mapped[str | None] = mapped_column(String(16))  # ApplicationDecision
    decision_text: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_applications_status", "status", "created_at"),)


class ApplicationReview(Base):
    """One reviewer's review: scores, a comment and a recommendation."""

    __tablename__ = "application_reviews"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # {criterion key: score}; with no criteria: {"total": score}.
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    total: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str | None] = mapped_column(String(16))  # ApplicationDecision
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)


class CouncilMeeting(Base):
    """A meeting of the expert council: agenda, members present, votes, the protocol."""

    __tablename__ = "council_meetings"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # the protocol's number «ЭС-2026-03»
    held_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PLANNED)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CouncilMember(Base):
    """A member invited to a meeting; ``present`` is marked at the meeting (quorum counts it)."""

    __tablename__ = "council_members"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)


class CouncilAgendaItem(Base):
    __tablename__ = "council_agenda_items"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meetings.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The council's decision on this item once the votes are counted (ApplicationDecision).
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("meeting_id", "application_id"),)


class CouncilVote(Base):
    __tablename__ = "council_votes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("council_agenda_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    vote: Mapped[str] = mapped_column(String(16))  # Vote
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("item_id", "user_id"),)


class RegistryEntry(Base):
    """An approved object in the public registry (the «памятники науки и техники» base)."""

    __tablename__ = "registry_entries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), unique=True
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("council_meetings.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    holder: Mapped[str] = mapped_column(String(500), default="")  # the museum that keeps it
    region: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    approved_on: Mapped[date] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
