"""The ЕДДС's journal beyond utility outages: incidents, the updates of incidents and outages, shift
hand-overs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow
from models.enums import IncidentStatus, UpdatePublish


class Incident(Base):
    """One journal entry: a road accident, a fallen tree, a sewer break, a weather warning…

    ``year``/``number`` is the journal number («2026-0123»), counted per local year.
    """

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=IncidentStatus.OPEN)
    received_at: Mapped[datetime]
    informant_kind: Mapped[str] = mapped_column(String(16))
    informant_name: Mapped[str | None] = mapped_column(String(255))
    informant_phone: Mapped[str | None] = mapped_column(String(32))
    informant_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    # A resident who reported it in the bot: told when it is closed.
    informant_telegram_id: Mapped[int | None] = mapped_column(
        ForeignKey("telegram_accounts.id", ondelete="SET NULL"), index=True
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL"), index=True
    )
    address_text: Mapped[str | None] = mapped_column(String(500))  # a place off the register ("км 12 трассы")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    responsible_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    expected_end_at: Mapped[datetime | None]
    # Shown on the public page and announced to the subscribers of its house.
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    acknowledged_at: Mapped[datetime | None]  # the responsible organisation took it
    closed_at: Mapped[datetime | None]
    closing_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_incidents_status_received", "status", "received_at"),
        Index("ix_incidents_received", "received_at"),
    )

    @property
    def journal_number(self) -> str:
        return f"{self.year}-{self.number:04d}"


class DispatchUpdate(Base):
    """What happened next, with its time: an incident's actions, an outage's updates, an outside
    organisation's report (then ``publish`` says whether residents see it)."""

    __tablename__ = "dispatch_updates"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    expected_end_at: Mapped[datetime | None]  # a new expected restoration time, if the update gives one
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    publish: Mapped[str] = mapped_column(String(16), default=UpdatePublish.INTERNAL)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_dispatch_updates_publish", "publish", "created_at"),)


class ShiftHandover(Base):
    """A dispatcher handed the shift over: the report covers ``period_start``–``period_end``."""

    __tablename__ = "shift_handovers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    handed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SocialAlertRecipient(Base):
    """Who is alerted at once when a socially important object loses a resource (besides managers)."""

    __tablename__ = "social_alert_recipients"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
