"""buildings: fias_guid (the ГАР house GUID) and oktmo

Revision ID: g4a1b2c3d5e6
Revises: q5d2b8e4a1c7
Create Date: 2026-12-04 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "g4a1b2c3d5e6"
down_revision: str | None = "q5d2b8e4a1c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fias_guid", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("oktmo", sa.String(length=11), nullable=True))
        batch_op.create_unique_constraint("uq_buildings_fias_guid", ["fias_guid"])


def downgrade() -> None:
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_buildings_fias_guid", type_="unique")
        batch_op.drop_column("oktmo")
        batch_op.drop_column("fias_guid")
