"""The museum's audience: forms and their answers on the CRM card, tags, events with registration,
segments, consent to mailings and the mailings themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
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
from models.enums import FormPurpose, MailingConsentStatus, MailingStatus, RegistrationStatus


class CorrespondentTag(Base):
    """A tag on a CRM card («дети», «волонтёр», «библиотека»); set by a form or by a clerk."""

    __tablename__ = "correspondent_tags"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    correspondent_id: Mapped[int] = mapped_column(ForeignKey("correspondents.id", ondelete="CASCADE"))
    # Stored casefolded and trimmed: «Дети» and «дети » are one tag.
    tag: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32), default="manual")  # manual | form:<id> | import
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("correspondent_id", "tag"),
        Index("ix_correspondent_tags_tag", "tag"),
    )


class Form(Base):
    """A form defined in the panel: a public web page at /f/<slug> and a bot conversation."""

    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_ru: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255), default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(String(16), default=FormPurpose.GENERAL)
    # Tags every answer sets on the card (a list of strings).
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The programme it belongs to («Университет детей»): segments filter by it.
    programme: Mapped[str | None] = mapped_column(String(128))
    # purpose=event: the event it registers for; purpose=application: the application type.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("museum_events.id", ondelete="SET NULL"))
    application_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("application_types.id", ondelete="SET NULL")
    )
    # The text shown after sending (web page and bot); empty: a standard thank-you.
    thanks_ru: Mapped[str] = mapped_column(Text, default="")
    thanks_en: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Offered in the bot's menu of forms (a form may be web-only, reached by a link).
    in_bot: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormField(Base):
    """One field of a form, in order; ``key`` names the answer in ``FormSubmission.answers``."""

    __tablename__ = "form_fields"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # FieldKind
    label_ru: Mapped[str] = mapped_column(String(500))
    label_en: Mapped[str] = mapped_column(String(500), default="")
    help_ru: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False, server_default=false())
    # choice / multichoice: [{"value": "...", "ru": "...", "en": "..."}]
    options: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    # Validation: {"min_length", "max_length", "min", "max", "pattern", "max_files"} as the kind allows.
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Which card field this answer fills when the card lacks it: name | phone | email | None.
    maps_to: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (UniqueConstraint("form_id", "key"),)


class FormSubmission(Base):
    """One answered form: an application on the correspondent's CRM card with its answers."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    correspondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("correspondents.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # SubmissionChannel
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # {field key: value}; files are StoredFile rows with form_submission_id, listed by id here too.
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The contacts as typed on this form (never copied over a card's proven ones).
    contact_email: Mapped[str | None] = mapped_column(String(255))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    # Exactly-once intake: a double submit or a retried bot step carries the same key.
    dedup_key: Mapped[str | None] = mapped_column(String(191), unique=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MuseumEvent(Base):
    """An event or a programme session people register for."""

    __tablename__ = "museum_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    programme: Mapped[str | None] = mapped_column(String(128), index=True)
    place: Mapped[str] = mapped_column(String(255), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None]
    # None: unlimited.
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_open: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Hours before the start the reminder goes (0: none).
    remind_hours: Mapped[int] = mapped_column(SmallInteger, default=24, server_default="24")
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventRegistration(Base):
    __tablename__ = "event_registrations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("museum_events.id", ondelete="CASCADE"))
    correspondent_id: Mapped[int] = mapped_column(ForeignKey("correspondents.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("form_submissions.id", ondelete="SET NULL"))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.REGISTERED)
    seats: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it moved off the waiting list (the waiting order is created_at).
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # Marked in the panel: None (not marked), True (came), False (did not come).
    attended: Mapped[bool | None]
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("event_id", "correspondent_id"),
        Index("ix_event_registrations_event_status", "event_id", "status", "created_at"),
    )


class Segment(Base):
    """A saved audience: filters (see ``services.segments.filters``) evaluated when used."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]


class MailingConsent(Base):
    """A person's consent to mailings, apart from the personal-data consent; one row per card.

    Double opt-in: a form's «send me news» makes it ``pending`` and sends a confirmation (a bot
    button or an e-mailed link); only ``confirmed`` receives mailings. Each change is audited.
    """

    __tablename__ = "mailing_consents"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    correspondent_id: Mapped[int] = mapped_column(
        ForeignKey("correspondents.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=MailingConsentStatus.PENDING)
    channel: Mapped[str] = mapped_column(String(16))  # where it was asked: telegram | web | panel
    # SHA-256 of the token in the e-mailed confirmation / opt-out links.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))


class Mailing(Base):
    """A message to a segment: formatted text, a photo or a document, link buttons."""

    __tablename__ = "mailings"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))  # for the panel's list; not sent
    # Telegram HTML (b, i, u, s, a, code, pre, blockquote); checked and cut when saved.
    body_html: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    file_kind: Mapped[str | None] = mapped_column(String(16))  # photo | document
    # [{"text": "...", "url": "https://..."}] in rows of one.
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=MailingStatus.DRAFT)
    scheduled_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    recipients_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # People of the segment left out at sending: no confirmed consent, opted out, erased, no chat.
    skipped_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_mailings_status_scheduled", "status", "scheduled_at"),)


class MailingRecipient(Base):
    """Who a mailing was queued for: the outbox row (batch ``mailing:<id>``) carries its delivery."""

    __tablename__ = "mailing_recipients"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("mailings.id", ondelete="CASCADE"))
    correspondent_id: Mapped[int | None] = mapped_column(ForeignKey("correspondents.id", ondelete="SET NULL"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Pressed «unsubscribe» under this mailing's message.
    opted_out_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("mailing_id", "chat_id"),)
