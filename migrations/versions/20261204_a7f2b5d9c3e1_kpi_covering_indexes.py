"""KPI covering indexes: overdue per department, returns/extensions -> department, appeals by regime

Revision ID: a7f2b5d9c3e1
Revises: z6e1a4c8b2d7
Create Date: 2026-12-04 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a7f2b5d9c3e1"
down_revision: str | None = "z6e1a4c8b2d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        # The covering index is a superset of the old one (same leading columns): it replaces it.
        batch_op.create_index(
            "ix_assignments_status_deadline_cover",
            ["status", "deadline", "department_id", "executor_id"],
            unique=False,
        )
        batch_op.drop_index("ix_assignments_status_deadline")
        batch_op.create_index("ix_assignments_id_cover", ["id", "department_id", "executor_id"], unique=False)
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appeals_registered_regime_cover",
            ["registered_at", "channel", "category_id", "regime", "correspondent_id"],
            unique=False,
        )
        batch_op.drop_index("ix_appeals_registered_cover")


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appeals_registered_cover",
            ["registered_at", "channel", "category_id", "correspondent_id"],
            unique=False,
        )
        batch_op.drop_index("ix_appeals_registered_regime_cover")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_id_cover")
        batch_op.create_index("ix_assignments_status_deadline", ["status", "deadline"], unique=False)
        batch_op.drop_index("ix_assignments_status_deadline_cover")
