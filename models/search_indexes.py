"""Trigram (pg_trgm) indexes for the panel's "contains" search, PostgreSQL only.

They live outside the models on purpose: they exist only where the ``pg_trgm`` extension could be
created (a role without the right still gets a working, if slower, database), and ``create_all``
on SQLite or on a server without the extension must not try to build them. So the migration makes
them, and Alembic's comparison skips them by their ``ix_trgm_`` prefix (``include_object``).
"""

from __future__ import annotations

from typing import Any

PREFIX = "ix_trgm_"

# (index name, table, column): the columns the search matches with ``ILIKE '%q%'`` / ``LIKE '%q%'``
# on the raw column, which a gin_trgm_ops index serves (pg_trgm folds case itself).
TRIGRAM_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("ix_trgm_assignments_title", "assignments", "title"),
    ("ix_trgm_appeals_subject", "appeals", "subject"),
    ("ix_trgm_appeals_text", "appeals", "text"),
    ("ix_trgm_appeals_reg_number", "appeals", "reg_number"),
    ("ix_trgm_correspondents_name_search", "correspondents", "name_search"),
    ("ix_trgm_correspondents_email", "correspondents", "email"),
    ("ix_trgm_correspondents_phone", "correspondents", "phone_normalized"),
)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: leave the optional trigram indexes out of autogenerate's comparison."""
    return not (type_ == "index" and name is not None and name.startswith(PREFIX))


def create_statements(opclass_schema: str) -> list[str]:
    """``CREATE INDEX`` for each trigram index, the operator class named in ``opclass_schema``."""
    return [
        f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} "{opclass_schema}".gin_trgm_ops)'
        for name, table, column in TRIGRAM_INDEXES
    ]
