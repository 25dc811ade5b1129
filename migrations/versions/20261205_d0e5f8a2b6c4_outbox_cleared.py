"""outbox: cleared_at, and an index over the notices whose text is still kept

A nightly job drops the text of notices older than PORUCHENO_NOTICE_KEEP_DAYS (152-FZ: they quote
people's appeals and addresses); an erasure clears a person's notices at once.

Revision ID: d0e5f8a2b6c4
Revises: c9d4e7f1a5b3
Create Date: 2026-12-05 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import models.base
from alembic import op

revision: str = "d0e5f8a2b6c4"
down_revision: str | None = "c9d4e7f1a5b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCLEARED = sa.text("cleared_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("cleared_at", models.base.UTCDateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_outbox_uncleared", "outbox", ["created_at"], postgresql_where=UNCLEARED, sqlite_where=UNCLEARED
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_uncleared", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("cleared_at")
