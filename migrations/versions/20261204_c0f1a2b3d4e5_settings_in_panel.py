"""settings in the panel: category audience, routing rules, organisation card, outage catalogues

Revision ID: c0f1a2b3d4e5
Revises: q8d2b6e4a1c3
Create Date: 2026-12-04 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "c0f1a2b3d4e5"
down_revision: str | None = "q8d2b6e4a1c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The lists services/outages/resources.py had as constants: existing installs behave as before.
RESOURCES = [
    ("cold_water", "холодная вода", "cold water", "🚰"),
    ("hot_water", "горячая вода", "hot water", "♨️"),
    ("heating", "отопление", "heating", "🔥"),
    ("electricity", "электроэнергия", "electricity", "💡"),
    ("gas", "газ", "gas", "🔵"),
    ("sewerage", "водоотведение", "sewerage", "🚽"),
]
SOCIAL_TYPES = [
    ("school", "школы", "schools"),
    ("kindergarten", "детские сады", "kindergartens"),
    ("hospital", "больницы", "hospitals"),
    ("clinic", "поликлиники", "clinics"),
    ("boiler_house", "котельные", "boiler houses"),
    ("care_home", "дома-интернаты", "care homes"),
]


def upgrade() -> None:
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audience", sa.String(length=16), nullable=False, server_default="both")
        )
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=255), nullable=True))
    op.create_table(
        "org_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("short_name", sa.String(length=255), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("website", sa.String(length=255), nullable=True),
        sa.Column("inn", sa.String(length=12), nullable=True),
        sa.Column("ogrn", sa.String(length=15), nullable=True),
        sa.Column("head_position", sa.String(length=255), nullable=True),
        sa.Column("head_name", sa.String(length=255), nullable=True),
        sa.Column("working_hours", sa.Text(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_card")),
    )
    op.create_table(
        "routing_rules",
        sa.Column("id", ID, nullable=False),
        sa.Column("category_id", ID, nullable=False),
        sa.Column("street", sa.String(length=255), nullable=True),
        sa.Column("street_key", sa.String(length=255), nullable=True),
        sa.Column("district", sa.String(length=255), nullable=True),
        sa.Column("department_id", ID, nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_routing_rules_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_routing_rules_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.create_index("ix_routing_rules_category", ["category_id"], unique=False)
    resources = op.create_table(
        "outage_resources",
        sa.Column("id", ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=255), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outage_resources")),
        sa.UniqueConstraint("code", name=op.f("uq_outage_resources_code")),
    )
    social = op.create_table(
        "social_object_types",
        sa.Column("id", ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=255), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_object_types")),
        sa.UniqueConstraint("code", name=op.f("uq_social_object_types_code")),
    )
    op.bulk_insert(
        resources,
        [
            {"code": c, "name_ru": ru, "name_en": en, "emoji": e, "is_active": True, "position": i * 10}
            for i, (c, ru, en, e) in enumerate(RESOURCES, 1)
        ],
    )
    op.bulk_insert(
        social,
        [
            {"code": c, "name_ru": ru, "name_en": en, "is_active": True, "position": i * 10}
            for i, (c, ru, en) in enumerate(SOCIAL_TYPES, 1)
        ],
    )


def downgrade() -> None:
    op.drop_table("social_object_types")
    op.drop_table("outage_resources")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_rules_category")
    op.drop_table("routing_rules")
    op.drop_table("org_card")
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_column("district")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_column("audience")
