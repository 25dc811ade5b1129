"""questions: a topic's default classifier code; every existing appeal gets its first question

Revision ID: t3c7e1a9d2b5
Revises: s4b8d2e6f1a3
Create Date: 2026-12-04 03:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t3c7e1a9d2b5"
down_revision: str | None = "s4b8d2e6f1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("categories", sa.Column("classifier_code", sa.String(length=32), nullable=True))
    # An appeal holds at least one question: appeals registered before questions existed get theirs
    # (the text's start, no code yet) so the card, the answer rule and the ССТУ report treat all alike.
    op.execute(
        """
        INSERT INTO appeal_questions (appeal_id, position, text, measures_taken)
        SELECT a.id, 1, substr(coalesce(a.subject, a.text, ''), 1, 500), false
        FROM appeals a
        WHERE NOT EXISTS (SELECT 1 FROM appeal_questions q WHERE q.appeal_id = a.id)
        """
    )


def downgrade() -> None:
    op.drop_column("categories", "classifier_code")
