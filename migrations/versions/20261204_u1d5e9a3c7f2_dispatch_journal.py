"""dispatch journal (incidents, updates, shift hand-overs) and outside organisations

Revision ID: u1d5e9a3c7f2
Revises: t6c3e8a1f2b9
Create Date: 2026-12-04 09:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "u1d5e9a3c7f2"
down_revision: str | None = "t6c3e8a1f2b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "organisations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("short_name", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("inn", sa.String(length=12), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("resources", sa.String(length=255), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("publish_mode", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_organisations_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("department_id", name=op.f("uq_organisations_department_id")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "organisation_areas",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("building_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("street_key", sa.String(length=255), nullable=True),
        sa.Column("street", sa.String(length=255), nullable=True),
        sa.Column("district", sa.String(length=255), nullable=True),
        sa.Column("resource", sa.String(length=32), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_organisation_areas_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_areas_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_areas")),
    )
    with op.batch_alter_table("organisation_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_areas_building_id"), ["building_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_organisation_areas_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organisation_areas_street_key"), ["street_key"], unique=False)

    op.create_table(
        "organisation_invites",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("revoked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_organisation_invites_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_invites_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_organisation_invites_token_hash")),
    )
    with op.batch_alter_table("organisation_invites", schema=None) as batch_op:
        batch_op.create_index(
            "ix_organisation_invites_org_created", ["organisation_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_organisation_invites_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "shift_handovers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("handed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("period_start", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handed_by_id"],
            ["users.id"],
            name=op.f("fk_shift_handovers_handed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_handovers")),
    )
    with op.batch_alter_table("shift_handovers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_handovers_period_end"), ["period_end"], unique=False)

    op.create_table(
        "social_alert_recipients",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_social_alert_recipients_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_social_alert_recipients")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("informant_kind", sa.String(length=16), nullable=False),
        sa.Column("informant_name", sa.String(length=255), nullable=True),
        sa.Column("informant_phone", sa.String(length=32), nullable=True),
        sa.Column(
            "informant_organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("informant_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("building_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("address_text", sa.String(length=500), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column(
            "responsible_organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("expected_end_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_incidents_building_id_buildings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_incidents_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["informant_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_incidents_informant_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["informant_telegram_id"],
            ["telegram_accounts.id"],
            name=op.f("fk_incidents_informant_telegram_id_telegram_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_incidents_responsible_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_incidents_year_number")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_building_id"), ["building_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incidents_informant_telegram_id"), ["informant_telegram_id"], unique=False
        )
        batch_op.create_index("ix_incidents_received", ["received_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incidents_responsible_organisation_id"),
            ["responsible_organisation_id"],
            unique=False,
        )
        batch_op.create_index("ix_incidents_status_received", ["status", "received_at"], unique=False)

    op.create_table(
        "dispatch_updates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("outage_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("expected_end_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("author_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("publish", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_dispatch_updates_author_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_dispatch_updates_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_dispatch_updates_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dispatch_updates_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outage_id"],
            ["outages.id"],
            name=op.f("fk_dispatch_updates_outage_id_outages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_updates")),
    )
    with op.batch_alter_table("dispatch_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatch_updates_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_updates_outage_id"), ["outage_id"], unique=False)
        batch_op.create_index("ix_dispatch_updates_publish", ["publish", "created_at"], unique=False)

    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "dispatch_update_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.create_index(batch_op.f("ix_files_dispatch_update_id"), ["dispatch_update_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_files_dispatch_update_id_dispatch_updates"),
            "dispatch_updates",
            ["dispatch_update_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("outage_signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_kind", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_outage_signals_incident_id"), ["incident_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outage_signals_incident_id_incidents"),
            "incidents",
            ["incident_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cause", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column(
                "responsible_organisation_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("informant_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("informant_text", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("acknowledged_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("social_alerted_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_outages_responsible_organisation_id"),
            ["responsible_organisation_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outages_responsible_organisation_id_organisations"),
            "organisations",
            ["responsible_organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:

    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outages_responsible_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outages_responsible_organisation_id"))
        batch_op.drop_column("social_alerted_at")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("informant_text")
        batch_op.drop_column("informant_kind")
        batch_op.drop_column("responsible_organisation_id")
        batch_op.drop_column("cause")

    with op.batch_alter_table("outage_signals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outage_signals_incident_id_incidents"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outage_signals_incident_id"))
        batch_op.drop_column("incident_id")
        batch_op.drop_column("incident_kind")

    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_files_dispatch_update_id_dispatch_updates"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_files_dispatch_update_id"))
        batch_op.drop_column("dispatch_update_id")

    with op.batch_alter_table("dispatch_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_dispatch_updates_publish")
        batch_op.drop_index(batch_op.f("ix_dispatch_updates_outage_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_updates_incident_id"))

    op.drop_table("dispatch_updates")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_received")
        batch_op.drop_index(batch_op.f("ix_incidents_responsible_organisation_id"))
        batch_op.drop_index("ix_incidents_received")
        batch_op.drop_index(batch_op.f("ix_incidents_informant_telegram_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_building_id"))

    op.drop_table("incidents")
    op.drop_table("social_alert_recipients")
    with op.batch_alter_table("shift_handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_handovers_period_end"))

    op.drop_table("shift_handovers")
    with op.batch_alter_table("organisation_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_invites_organisation_id"))
        batch_op.drop_index("ix_organisation_invites_org_created")

    op.drop_table("organisation_invites")
    with op.batch_alter_table("organisation_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_areas_street_key"))
        batch_op.drop_index(batch_op.f("ix_organisation_areas_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_organisation_areas_building_id"))

    op.drop_table("organisation_areas")
    op.drop_table("organisations")
