"""outbox: an index on chat_id (an erasure blanks the texts of a person's notices by their chats)

Revision ID: c9d4e7f1a5b3
Revises: b8c3d6e0f4a2
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c9d4e7f1a5b3"
down_revision: str | None = "b8c3d6e0f4a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_chat", "outbox", ["chat_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat", table_name="outbox")
