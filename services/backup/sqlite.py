"""SQLite through the online backup API (``sqlite3.Connection.backup``), never a file copy.

The service keeps SQLite in WAL mode: committed transactions live in ``*.sqlite3-wal`` until a
checkpoint moves them into the main file, so copying the main file alone loses them (and a copy
taken during a checkpoint can be torn). The backup API reads through SQLite itself, inside one read
transaction, so the copy is a consistent snapshot that includes the WAL while writers go on.

These functions block; callers run them in a worker thread.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from services.backup.errors import BackupError

BUSY_TIMEOUT_SECONDS = 30


def database_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def backup(source: Path, dest: Path) -> str | None:
    """Snapshot ``source`` into a new self-contained file ``dest``; return its Alembic revision."""
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist")
    with (
        closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as src,
        closing(sqlite3.connect(dest)) as dst,
    ):
        try:
            # pages=-1: the whole database in one step, i.e. under one read transaction (a snapshot).
            src.backup(dst, pages=-1)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"SQLite cannot read {source}: {exc}") from None
        # A rollback-journal file is one file: reading the backup later leaves no -wal/-shm beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        return _revision(dst)


def restore(source: Path, dest: Path) -> None:
    """Write the backup file ``source`` over the database ``dest`` through the backup API, so the
    target's own WAL and locks are honoured (a copied file would leave a stale -wal beside it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(dest, timeout=BUSY_TIMEOUT_SECONDS)) as dst,
    ):
        try:
            # Checked before the target is touched: the backup API would stop midway on a bad page.
            problem = src.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"The backup's SQLite database is damaged: {problem}")
            src.backup(dst, pages=-1)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"The backup's SQLite database cannot be read: {exc}") from None
        dst.execute("PRAGMA journal_mode=WAL")


def is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)) as conn:
        return conn.execute("select count(*) from sqlite_master").fetchone()[0] == 0


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("select version_num from alembic_version").fetchone()
    except sqlite3.OperationalError:  # made by create_all, not by migrations
        return None
    return row[0] if row else None
