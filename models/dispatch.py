"""Duty dispatch (ЕДДС): address registry, outages, resident subscriptions and signals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow
from models.enums import OutageStatus, SignalStatus


class Building(Base):
    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    street: Mapped[str] = mapped_column(String(255))
    street_key: Mapped[str] = mapped_column(String(255))  # normalised: "ленина"
    house: Mapped[str] = mapped_column(String(32))  # as written: "5к1", "10а"
    house_key: Mapped[str] = mapped_column(String(32))  # normalised: "5к1"
    house_number: Mapped[int | None] = mapped_column(Integer)  # for ranges
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(32), default="residential")
    is_social: Mapped[bool] = mapped_column(Boolean, default=False)
    social_type: Mapped[str | None] = mapped_column(String(32))  # school, kindergarten, hospital, ...
    name: Mapped[str | None] = mapped_column(String(255))
    # The house's OBJECTGUID in the state address register (ГАР): re-imports update by it.
    fias_guid: Mapped[str | None] = mapped_column(String(36), unique=True)
    oktmo: Mapped[str | None] = mapped_column(String(11))  # the municipality (8) or settlement (11) code
    district: Mapped[str | None] = mapped_column(String(255))  # appeal routing by district
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("street_key", "house_key"),
        Index("ix_buildings_street_number", "street_key", "house_number"),
        Index("ix_buildings_lat_lon", "latitude", "longitude"),
    )


class Outage(Base):
    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=OutageStatus.DRAFT)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    expected_end_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Where the dispatcher's preview lives, so broadcast progress can be edited into it.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The record the ЕДДС keeps: why, whose network, who told us; ``ended_at`` is the actual restoration.
    cause: Mapped[str] = mapped_column(Text, default="")
    responsible_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    informant_kind: Mapped[str | None] = mapped_column(String(16))
    informant_text: Mapped[str | None] = mapped_column(String(255))
    acknowledged_at: Mapped[datetime | None]  # the responsible organisation took it
    # Set once the social-object alert went out for the houses then affected (see services.outages.social).
    social_alerted_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_outages_status_starts", "status", "starts_at"),
        Index("ix_outages_resource_starts", "resource", "starts_at"),
    )


class OutageBuilding(Base):
    __tablename__ = "outage_buildings"

    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outage_buildings_building", "building_id"),)


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(ForeignKey("telegram_accounts.id", ondelete="CASCADE"))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("telegram_id", "building_id"),
        Index("ix_subscriptions_building", "building_id"),
    )


class OutageSignal(Base):
    """A resident's report ("no hot water at ..."), queued for the dispatcher."""

    __tablename__ = "outage_signals"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(ForeignKey("telegram_accounts.id", ondelete="SET NULL"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"))
    address_text: Mapped[str | None] = mapped_column(String(500))
    resource: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=SignalStatus.NEW)
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id", ondelete="SET NULL"), index=True)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    # A report of something other than a resource (``resource`` is then ``"incident"``): its kind,
    # and the incident the dispatcher logged from it.
    incident_kind: Mapped[str | None] = mapped_column(String(32))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_outage_signals_status_building", "status", "building_id", "resource"),)
