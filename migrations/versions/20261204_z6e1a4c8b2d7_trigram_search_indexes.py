"""PostgreSQL: pg_trgm and GIN trigram indexes for the panel's "contains" search

The search matches ``ILIKE '%q%'`` (or ``LIKE`` on the folded / normalised columns), which a B-tree
cannot serve: at a million assignments every search was a sequential scan. A ``gin_trgm_ops`` index
on the raw column serves both. SQLite: nothing to do (it has no such index; its scans stay).

The extension needs the CREATE right on the database (a superuser or, since PostgreSQL 13, the
database owner: pg_trgm is a trusted extension). Without it the migration logs a warning and skips
the indexes: search works as before, only slower. The indexes are kept out of the models (see
``models.search_indexes``) for the same reason.

Revision ID: z6e1a4c8b2d7
Revises: y5d9f3b7c1e6
Create Date: 2026-12-04 22:40:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import exc, text

revision: str = "z6e1a4c8b2d7"
down_revision: str | None = "y5d9f3b7c1e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# A frozen copy of models.search_indexes.TRIGRAM_INDEXES as of this revision.
INDEXES = (
    ("ix_trgm_assignments_title", "assignments", "title"),
    ("ix_trgm_appeals_subject", "appeals", "subject"),
    ("ix_trgm_appeals_text", "appeals", "text"),
    ("ix_trgm_appeals_reg_number", "appeals", "reg_number"),
    ("ix_trgm_correspondents_name_search", "correspondents", "name_search"),
    ("ix_trgm_correspondents_email", "correspondents", "email"),
    ("ix_trgm_correspondents_phone", "correspondents", "phone_normalized"),
)

_EXTENSION_SCHEMA = text(
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_trgm'"
)


def _extension_schema() -> str | None:
    """The schema pg_trgm lives in, creating the extension if needed; None when it can't be."""
    conn = op.get_bind()
    schema = conn.execute(_EXTENSION_SCHEMA).scalar()
    if schema is not None:
        return str(schema)
    # In ``public`` when there is one, so that one database-wide extension serves every schema
    # (and is not dropped with an application schema); its operator class is named qualified below.
    has_public = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).scalar()
    where = " WITH SCHEMA public" if has_public else ""
    try:
        with conn.begin_nested():
            conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{where}"))
    except exc.DBAPIError as error:
        log.warning("pg_trgm could not be created (%s); search runs without trigram indexes", error.orig)
        return None
    return conn.execute(_EXTENSION_SCHEMA).scalar()


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _extension_schema()
    if schema is None:
        return
    opclass = f"{op.get_bind().dialect.identifier_preparer.quote(schema)}.gin_trgm_ops"
    for name, table, column in INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} {opclass})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The extension stays: other databases' objects or the DBA's own may use it.
    for name, _table, _column in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
