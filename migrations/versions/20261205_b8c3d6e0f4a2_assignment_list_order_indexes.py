"""assignments: indexes that serve the panel's list in its order (title search, creation order)

A title search matching most rows read every match and sorted it for one page (350 ms at 1M on
PostgreSQL); the list sorted by creation date, oldest first, walked the creation index past every
closed row (1 s per status). The (deadline, id) index serves a search over every status; the two
partial ones the same over the open statuses; (status, created_at, id) the list per status in
creation order.

Revision ID: b8c3d6e0f4a2
Revises: a7f2b5d9c3e1
Create Date: 2026-12-05 09:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8c3d6e0f4a2"
down_revision: str | None = "a7f2b5d9c3e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of models.assignments.OPEN_CONDITION as of this revision.
OPEN = "status IN ('new', 'acknowledged', 'in_progress', 'on_review', 'returned')"


def upgrade() -> None:
    op.create_index("ix_assignments_status_created", "assignments", ["status", "created_at", "id"])
    op.create_index("ix_assignments_deadline", "assignments", ["deadline", "id"])
    for name, column in (("ix_assignments_open_deadline", "deadline"), ("ix_assignments_open_created", "created_at")):
        op.create_index(
            name, "assignments", [column, "id"], postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN)
        )


def downgrade() -> None:
    for name in (
        "ix_assignments_open_created",
        "ix_assignments_open_deadline",
        "ix_assignments_deadline",
        "ix_assignments_status_created",
    ):
        op.drop_index(name, table_name="assignments")
