"""outbox: an index on created_at (an outage's notice batches are looked up since its creation)

Revision ID: v2a6c4e8d1f3
Revises: u1d5e9a3c7f2
Create Date: 2026-12-04 10:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "v2a6c4e8d1f3"
down_revision: str | None = "u1d5e9a3c7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_created")
