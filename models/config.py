"""What an administration configures in the panel: its card, appeal routing, outage catalogues."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigIntPK, utcnow


class OrgCard(Base):
    """The organisation itself (one row, id 1): its names, letterhead data, hours and time zone."""

    __tablename__ = "org_card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    short_name: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(255))
    inn: Mapped[str | None] = mapped_column(String(12))
    ogrn: Mapped[str | None] = mapped_column(String(15))
    head_position: Mapped[str | None] = mapped_column(String(255))
    head_name: Mapped[str | None] = mapped_column(String(255))
    working_hours: Mapped[str | None] = mapped_column(Text)
    # IANA name; empty: PORUCHENO_TIMEZONE applies.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The body's identifier in ССТУ.РФ (a GUID the portal issues), for the monthly report.
    sstu_department_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoutingRule(Base):
    """Appeals of a category (optionally on one street or in one district) go to a department.

    The most specific rule wins: category + street, then category + district, then category alone;
    ``priority`` (lower first) orders rules of the same kind.
    """

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    street: Mapped[str | None] = mapped_column(String(255))  # as typed, shown in the panel
    street_key: Mapped[str | None] = mapped_column(String(255))  # services.addresses.normalize
    district: Mapped[str | None] = mapped_column(String(255))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    priority: Mapped[int] = mapped_column(SmallInteger, default=100)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_routing_rules_category", "category_id"),)


class OutageResource(Base):
    """A utility an outage can cut off (cold water, heating, ...); the code is what outages store."""

    __tablename__ = "outage_resources"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_ru: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    emoji: Mapped[str] = mapped_column(String(16), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class SocialObjectType(Base):
    """A kind of social object the outage summaries count (schools, hospitals, ...)."""

    __tablename__ = "social_object_types"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_ru: Mapped[str] = mapped_column(String(255))  # plural, as counted: «школы»
    name_en: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
