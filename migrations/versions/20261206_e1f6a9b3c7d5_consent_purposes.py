"""consent_texts and consent_records: a purpose (152-FZ art. 9: a consent is specific to its purpose)

Each purpose (appeals under 59-FZ, the institution's activities: events, forms, applications) has its
own consent text with its own versions 1, 2, …; a decision in the log names the purpose and the
version. The one document stored so far was written for appeals: it becomes the appeals purpose's
version (its number unchanged), and the consent log's rows stay linked to it.

Revision ID: e1f6a9b3c7d5
Revises: d0e5f8a2b6c4
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1f6a9b3c7d5"
down_revision: str | None = "d0e5f8a2b6c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _purpose() -> sa.Column[str]:
    # The server default fills the existing rows: everything stored so far is the appeals consent.
    return sa.Column("purpose", sa.String(length=32), server_default="appeals", nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("consent_texts") as batch:
        batch.add_column(_purpose())
        batch.drop_constraint("uq_consent_texts_version", type_="unique")
        batch.create_unique_constraint("uq_consent_texts_purpose_version", ["purpose", "version"])
    with op.batch_alter_table("consent_records") as batch:
        batch.add_column(_purpose())


def downgrade() -> None:
    # Back to one document: only the appeals texts and their decisions keep their meaning.
    op.execute(sa.text("DELETE FROM consent_records WHERE purpose <> 'appeals'"))
    op.execute(sa.text("DELETE FROM consent_texts WHERE purpose <> 'appeals'"))
    with op.batch_alter_table("consent_records") as batch:
        batch.drop_column("purpose")
    with op.batch_alter_table("consent_texts") as batch:
        batch.drop_constraint("uq_consent_texts_purpose_version", type_="unique")
        batch.create_unique_constraint("uq_consent_texts_version", ["version"])
        batch.drop_column("purpose")
