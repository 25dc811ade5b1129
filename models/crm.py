"""Correspondents (people and organisations), their appeals, categories with SLA, files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, JSONType, partial_index, status_in, utcnow
from models.enums import OPEN_APPEAL_STATUSES, AppealRegime, AppealStatus, CorrespondentKind


class Correspondent(Base):
    __tablename__ = "correspondents"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=CorrespondentKind.PERSON)
    name: Mapped[str] = mapped_column(String(255))
    # Lower-cased (Python casefold, Cyrillic aware) copies drive search and de-duplication.
    name_search: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_normalized: Mapped[str | None] = mapped_column(String(16), index=True)
    email: Mapped[str | None] = mapped_column(String(255), index=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # Where notices go when the person has accounts in both messengers (telegram | max).
    preferred_messenger: Mapped[str | None] = mapped_column(String(8))
    # Whether the phone / e-mail above was proven by its owner (a contact shared from Telegram's
    # button, a confirmed e-mail code, the address a letter came from). Only proven contacts match
    # incoming appeals; typed ones are shown to clerks and raise duplicate suggestions.
    phone_proven: Mapped[bool] = mapped_column(default=False, server_default=false())
    email_proven: Mapped[bool] = mapped_column(default=False, server_default=false())
    postal_address: Mapped[str | None] = mapped_column(String(500))
    organisation_inn: Mapped[str | None] = mapped_column(String(12))
    notes: Mapped[str | None] = mapped_column(Text)
    # 59-FZ art. 11 p. 5: the decision to stop correspondence with this person on a question.
    correspondence_stopped_at: Mapped[datetime | None]
    correspondence_stopped_note: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("correspondents.id", ondelete="SET NULL"))
    appeals_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The id in the CRM or spreadsheet it was imported from: re-imports update this row.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)

    __table_args__ = (Index("ix_correspondents_name_search", "name_search"),)


class Category(Base):
    """Appeal category with its legal answer term (staff requests with SLA are ``ServiceTopic``)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_ru: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    answer_days: Mapped[int] = mapped_column(SmallInteger, default=30)  # 59-FZ default
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Who may choose it: residents (bot, public form, Open311), staff, or both (CategoryAudience).
    audience: Mapped[str] = mapped_column(String(16), default="both", server_default="both")
    # The thematic classifier's question (level 4) a new appeal of this topic starts with.
    classifier_code: Mapped[str | None] = mapped_column(String(32))


OPEN_CONDITION = status_in(OPEN_APPEAL_STATUSES)  # the partial index's "the appeal is still open"


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    reg_year: Mapped[int] = mapped_column(SmallInteger)
    reg_seq: Mapped[int] = mapped_column(Integer)
    reg_number: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    correspondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("correspondents.id", ondelete="SET NULL"), index=True
    )
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    # The department the routing rules sent it to at registration (topic, street, district); None:
    # the topic's default department applies (appeals registered before routing, imported history).
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(500))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    # Contacts as given with this appeal (typed, unproven): kept here, never copied into a
    # correspondent record that already exists.
    contact_email: Mapped[str | None] = mapped_column(String(255))
    # The Telegram account that sent it: answers go back to that chat.
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # SHA-256 of the access code given at registration (the public status page asks for it).
    access_code_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.REGISTERED)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    extended_at: Mapped[datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer_text: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rated_at: Mapped[datetime | None]
    # Channel identity for exactly-once intake (e-mail Message-ID, Open311 token, ...).
    external_id: Mapped[str | None] = mapped_column(String(500))
    reply_to: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # 59-FZ / 547-FZ: the regime the channel's setting gave, when it arrived (the incoming date a
    # paper letter carries may precede registration) and by when it must be registered.
    regime: Mapped[str] = mapped_column(String(16), default=AppealRegime.APPEAL, server_default="appeal")
    received_at: Mapped[datetime | None]
    registration_due_at: Mapped[datetime | None]
    # How consideration ended when not on the merits (AppealOutcome), and redirection data.
    outcome: Mapped[str | None] = mapped_column(String(24))
    redirected_at: Mapped[datetime | None]
    redirected_to: Mapped[str | None] = mapped_column(String(500))
    redirected_sstu_id: Mapped[str | None] = mapped_column(String(64))  # the receiving body's ССТУ id
    # Repeated (art. 11 p. 5) and collective appeals.
    repeat_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("appeals.id", ondelete="SET NULL"), index=True
    )
    is_collective: Mapped[bool] = mapped_column(default=False, server_default=false())
    signatories: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("reg_year", "reg_seq"),
        UniqueConstraint("channel", "external_id", name="uq_appeals_channel_external"),
        Index("ix_appeals_status_due", "status", "due_at"),
        # Covering indexes for the appeal KPI over a period.
        # ``regime`` too: without it the per-period split read the table (a sequential scan).
        Index(
            "ix_appeals_registered_regime_cover",
            "registered_at",
            "channel",
            "category_id",
            "regime",
            "correspondent_id",
        ),
        Index("ix_appeals_answered", "answered_at", "due_at"),
        # The list filtered by a status in its order (registration, number): without them "in work,
        # oldest first" walked the registration index past every answered appeal (0.4 s at 300k).
        Index("ix_appeals_status_registered", "status", "registered_at", "id"),
        Index("ix_appeals_status_number", "status", "reg_number"),
        # The same for the open ones together (the "overdue" and "not assigned" filters).
        partial_index("ix_appeals_open_registered", "registered_at", "id", where=OPEN_CONDITION),
    )


class StoredFile(Base):
    """A file received from a user or uploaded in the panel; bytes live under FILES_DIR by hash."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    storage_path: Mapped[str] = mapped_column(String(500))
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    telegram_file_unique_id: Mapped[str | None] = mapped_column(String(64))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment_reports.id", ondelete="CASCADE"), index=True
    )
    # A photo or scan of an incident's or outage's update (an organisation's report from the field).
    dispatch_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispatch_updates.id", ondelete="CASCADE"), index=True
    )
    # A file of a service request (sent with it, or with one of its comments).
    service_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    service_comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_comments.id", ondelete="CASCADE"), index=True
    )
    # A file answered on a form (a scan, a photo of the object of an application).
    form_submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_submissions.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_by_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # With ``appeal_id``: a file sent with the clerk's answer, not one the applicant sent.
    for_answer: Mapped[bool] = mapped_column(default=False, server_default=false())


class ApiClient(Base):
    """An Open311 client (a civic app) holding an API key; only the key's SHA-256 is stored."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))  # shown in the panel to tell keys apart
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class MailboxCursor(Base):
    """How far an IMAP mailbox has been read: UIDVALIDITY and the highest UID taken in."""

    __tablename__ = "mailbox_cursors"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(255), unique=True)  # "user@host/INBOX"
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailOutbox(Base):
    """Outgoing e-mail (answers to appeals that came by mail), sent by SMTP with retries."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(String(500))
    # Unique per notice: queueing the same answer twice is a no-op.
    dedup_key: Mapped[str | None] = mapped_column(String(191), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Attachments by ``StoredFile`` id: the sender reads their bytes from FILES_DIR, never the DB.
    file_ids: Mapped[list[int] | None] = mapped_column(JSONType)

    __table_args__ = (Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),)
