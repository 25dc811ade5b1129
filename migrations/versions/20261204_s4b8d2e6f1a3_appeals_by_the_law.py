"""appeals by the law: channel regimes, registration control, outcomes, questions, letters, templates

Revision ID: s4b8d2e6f1a3
Revises: r2e7a9c4b1d8
Create Date: 2026-12-04 03:29:55.683004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "s4b8d2e6f1a3"
down_revision: str | None = "r2e7a9c4b1d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "channel_regimes",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("manual_registration", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_regimes")),
    )
    op.create_table(
        "classifier_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifier_entries")),
        sa.UniqueConstraint("code", name=op.f("uq_classifier_entries_code")),
    )
    with op.batch_alter_table("classifier_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classifier_entries_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "answer_templates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("category_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_answer_templates_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_answer_templates_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_templates")),
    )
    with op.batch_alter_table("answer_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_templates_category_id"), ["category_id"], unique=False)

    op.create_table(
        "appeal_questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appeal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("classifier_code", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=24), nullable=True),
        sa.Column("measures_taken", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_questions_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_appeal_questions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_questions")),
        sa.UniqueConstraint("appeal_id", "position", name=op.f("uq_appeal_questions_appeal_id_position")),
    )
    with op.batch_alter_table("appeal_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_questions_appeal_id"), ["appeal_id"], unique=False)

    op.create_table(
        "appeal_letters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appeal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("out_number", sa.String(length=40), nullable=False),
        sa.Column("issued_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signer_position", sa.String(length=255), nullable=True),
        sa.Column("signer_name", sa.String(length=255), nullable=True),
        sa.Column("docx_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("pdf_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sent_via", sa.String(length=16), nullable=True),
        sa.Column("sent_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_letters_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_appeal_letters_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["docx_file_id"],
            ["files.id"],
            name=op.f("fk_appeal_letters_docx_file_id_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pdf_file_id"],
            ["files.id"],
            name=op.f("fk_appeal_letters_pdf_file_id_files"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_letters")),
        sa.UniqueConstraint("out_number", name=op.f("uq_appeal_letters_out_number")),
    )
    with op.batch_alter_table("appeal_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_letters_appeal_id"), ["appeal_id"], unique=False)

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("regime", sa.String(length=16), server_default="appeal", nullable=False)
        )
        batch_op.add_column(sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("registration_due_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("outcome", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("redirected_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("redirected_to", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("redirected_sstu_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("repeat_of_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.add_column(
            sa.Column("is_collective", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("signatories", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_appeals_repeat_of_id"), ["repeat_of_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_appeals_repeat_of_id_appeals"),
            "appeals",
            ["repeat_of_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("correspondents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("correspondence_stopped_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("correspondence_stopped_note", sa.Text(), nullable=True))

    with op.batch_alter_table("org_card", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sstu_department_id", sa.String(length=64), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("org_card", schema=None) as batch_op:
        batch_op.drop_column("sstu_department_id")

    with op.batch_alter_table("correspondents", schema=None) as batch_op:
        batch_op.drop_column("correspondence_stopped_note")
        batch_op.drop_column("correspondence_stopped_at")

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_appeals_repeat_of_id_appeals"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_appeals_repeat_of_id"))
        batch_op.drop_column("signatories")
        batch_op.drop_column("is_collective")
        batch_op.drop_column("repeat_of_id")
        batch_op.drop_column("redirected_sstu_id")
        batch_op.drop_column("redirected_to")
        batch_op.drop_column("redirected_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("registration_due_at")
        batch_op.drop_column("received_at")
        batch_op.drop_column("regime")

    with op.batch_alter_table("appeal_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_letters_appeal_id"))

    op.drop_table("appeal_letters")
    with op.batch_alter_table("appeal_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_questions_appeal_id"))

    op.drop_table("appeal_questions")
    with op.batch_alter_table("answer_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_templates_category_id"))

    op.drop_table("answer_templates")
    with op.batch_alter_table("classifier_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classifier_entries_parent_code"))

    op.drop_table("classifier_entries")
    op.drop_table("channel_regimes")
