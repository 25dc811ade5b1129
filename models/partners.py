"""Outside organisations (УК, РСО, contractors, services) that work through the bot.

Each has a department row of its own (``department_id``): its people are users of that
department, so assignments, delegation by the head and KPI work for them as for staff, while the
organisation row carries what only outsiders have (kind, areas, how their updates are published).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow
from models.enums import OrganisationKind, PublishMode


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default=OrganisationKind.OTHER)
    inn: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(255))
    # Resource codes it supplies or maintains, comma-separated ("cold_water,sewerage"); empty: any.
    resources: Mapped[str] = mapped_column(String(255), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), unique=True)
    publish_mode: Mapped[str] = mapped_column(String(16), default=PublishMode.APPROVAL)
    note: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrganisationArea(Base):
    """One piece of an organisation's responsibility: a house, a street or a district, optionally
    for one resource only."""

    __tablename__ = "organisation_areas"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), index=True
    )
    street_key: Mapped[str | None] = mapped_column(String(255), index=True)
    street: Mapped[str | None] = mapped_column(String(255))  # as typed, for the panel
    district: Mapped[str | None] = mapped_column(String(255))
    resource: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrganisationInvite(Base):
    """A link ``/start org_<token>`` through which an organisation's people join it; reusable until
    it expires, is used up or revoked. Only the token's hash is kept."""

    __tablename__ = "organisation_invites"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_organisation_invites_org_created", "organisation_id", "created_at"),)
