"""appeals remember the department routing sent them to at registration

Revision ID: r2e7a9c4b1d8
Revises: c0f1a2b3d4e5
Create Date: 2026-12-04 01:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r2e7a9c4b1d8"
down_revision: str | None = "c0f1a2b3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing appeals keep NULL: their topic's default department still applies to them.
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_index("ix_appeals_department_id", ["department_id"])
        batch_op.create_foreign_key(
            "fk_appeals_department_id_departments",
            "departments",
            ["department_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_constraint("fk_appeals_department_id_departments", type_="foreignkey")
        batch_op.drop_index("ix_appeals_department_id")
        batch_op.drop_column("department_id")
