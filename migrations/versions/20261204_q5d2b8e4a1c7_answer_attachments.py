"""answer attachments: files.for_answer, mail_outbox.file_ids

Revision ID: q5d2b8e4a1c7
Revises: p3a7c91e2d4f
Create Date: 2026-12-04 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "q5d2b8e4a1c7"
down_revision: str | None = "p3a7c91e2d4f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("for_answer", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_ids", models.base.JSONType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_column("file_ids")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("for_answer")
