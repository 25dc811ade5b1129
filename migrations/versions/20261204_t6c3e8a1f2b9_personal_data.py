"""personal data (152-FZ): consent texts and log, erasures, access log

Revision ID: t6c3e8a1f2b9
Revises: t3c7e1a9d2b5
Create Date: 2026-12-04 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "t6c3e8a1f2b9"
down_revision: str | None = "t3c7e1a9d2b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> models.base.UTCDateTime:
    return models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consent_texts",
        sa.Column("id", PK, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("published_at", _utc(), nullable=False),
        sa.Column("published_by_id", FK, nullable=True),
        sa.Column("is_current", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_consent_texts_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_texts")),
        sa.UniqueConstraint("version", name=op.f("uq_consent_texts_version")),
    )
    op.create_table(
        "consent_records",
        sa.Column("id", PK, nullable=False),
        sa.Column("given_at", _utc(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("consent_version", sa.Integer(), nullable=False),
        sa.Column("correspondent_id", FK, nullable=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("appeal_id", FK, nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_consent_records_appeal_id_appeals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["correspondent_id"],
            ["correspondents.id"],
            name=op.f("fk_consent_records_correspondent_id_correspondents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(
        "ix_consent_records_correspondent_id", "consent_records", ["correspondent_id"], unique=False
    )
    op.create_index(
        "ix_consent_records_telegram_version",
        "consent_records",
        ["telegram_id", "consent_version"],
        unique=False,
    )
    op.create_table(
        "pd_erasures",
        sa.Column("id", PK, nullable=False),
        sa.Column("correspondent_id", FK, nullable=False),
        sa.Column("erased_at", _utc(), nullable=False),
        sa.Column("erased_by_id", FK, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_retention", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["correspondent_id"],
            ["correspondents.id"],
            name=op.f("fk_pd_erasures_correspondent_id_correspondents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["erased_by_id"],
            ["users.id"],
            name=op.f("fk_pd_erasures_erased_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_erasures")),
        sa.UniqueConstraint("correspondent_id", name=op.f("uq_pd_erasures_correspondent_id")),
    )
    op.create_table(
        "pd_access_log",
        sa.Column("id", PK, nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("user_id", FK, nullable=True),
        sa.Column("correspondent_id", FK, nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["correspondent_id"],
            ["correspondents.id"],
            name=op.f("fk_pd_access_log_correspondent_id_correspondents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pd_access_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_access_log")),
    )
    op.create_index("ix_pd_access_log_at", "pd_access_log", ["at"], unique=False)
    op.create_index("ix_pd_access_log_user_id", "pd_access_log", ["user_id"], unique=False)
    op.create_index("ix_pd_access_log_correspondent_id", "pd_access_log", ["correspondent_id"], unique=False)


def downgrade() -> None:
    op.drop_table("pd_access_log")
    op.drop_table("pd_erasures")
    op.drop_index("ix_consent_records_telegram_version", table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_table("consent_texts")
