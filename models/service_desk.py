"""The staff service desk: topics with SLA targets, requests, their comments (bot, e-mail, panel)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow
from models.enums import ServiceChannel, ServiceStatus, ServiceUrgency


class ServiceTopic(Base):
    """What a request is about («Рабочее место», «Мультимедиа в залах»), and who serves it."""

    __tablename__ = "service_topics"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_ru: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    # The service that works these requests; its members see and take them.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    # The service lead: escalations at a breach go to the assignee and to this person.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class SlaTarget(Base):
    """Reaction and resolution targets in working minutes for a topic and an urgency; a row with no
    topic is the default for topics without their own."""

    __tablename__ = "sla_targets"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("service_topics.id", ondelete="CASCADE"))
    urgency: Mapped[str] = mapped_column(String(16))
    reaction_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("topic_id", "urgency"),)


class ServiceRequest(Base):
    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # «С-2026-0001»
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("service_topics.id", ondelete="SET NULL"))
    urgency: Mapped[str] = mapped_column(String(16), default=ServiceUrgency.NORMAL)
    subject: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16), default=ServiceChannel.BOT)
    status: Mapped[str] = mapped_column(String(16), default=ServiceStatus.NEW)
    # The staff member who asked; a letter from an unknown address keeps only the address and name.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requester_email: Mapped[str | None] = mapped_column(String(255))
    requester_name: Mapped[str | None] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SLA: targets copied from the topic when filed (or the urgency changed), in working minutes;
    # the due moments move forward by the working time spent waiting for the requester.
    reaction_target_min: Mapped[int | None] = mapped_column(Integer)
    resolution_target_min: Mapped[int | None] = mapped_column(Integer)
    reaction_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]  # waiting for the requester since
    paused_minutes: Mapped[int] = mapped_column(Integer, default=0)  # working minutes paused so far
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Whether each target was met, fixed when the clock stopped (None: still running).
    reaction_met: Mapped[bool | None]
    resolution_met: Mapped[bool | None]
    reopen_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    # A report (resolution) may need every checklist item ticked first.
    checklist_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    # E-mail threading: the Message-ID of the letter that opened it (or of our first letter).
    mail_thread_id: Mapped[str | None] = mapped_column(String(500), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        Index("ix_service_requests_status_created", "status", "created_at"),
        Index("ix_service_requests_assignee_status", "assignee_id", "status"),
        Index("ix_service_requests_created_topic", "created_at", "topic_id"),
    )


class ServiceComment(Base):
    """A message on a request: public (the requester sees it) or internal to the service."""

    __tablename__ = "service_comments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_email: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)
    via: Mapped[str] = mapped_column(String(16), default=ServiceChannel.BOT)
    # E-mail: the letter's Message-ID (incoming: de-duplication; outgoing: what replies refer to).
    message_id: Mapped[str | None] = mapped_column(String(500), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
