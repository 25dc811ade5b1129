"""Create and restore backups: the database plus the files directory in one timestamped directory.

Layout of ``porucheno-backup-YYYYMMDDTHHMMSSZ/``: ``database.sqlite3`` or ``database.pgdump``,
``files/…`` (the files directory as it was), ``manifest.json`` and ``SHA256SUMS``. A backup is
built under a hidden ``.partial`` name and renamed when complete, so a crash never leaves
something that looks like a finished backup.

The database is copied before the files: the service writes a file before committing the row that
refers to it, so every file a backed-up row names is already there when the files are copied.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from models import utcnow
from services.backup import manifest, postgres, sqlite
from services.backup.errors import BackupError

DEFAULT_DIR = Path("var/backups")  # for `porucheno backup` without --to or PORUCHENO_BACKUP_DIR
NAME_PREFIX = "porucheno-backup-"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
FILES_PREFIX = "files"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def database_kind(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in DB_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}")
    return backend


def _version() -> str:
    try:
        return metadata.version("porucheno")
    except metadata.PackageNotFoundError:
        return "unknown"


def _start(dest_dir: Path, when: datetime) -> tuple[Path, Path]:
    """(final path, work directory) of a new backup; a second backup in the same second gets -2."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    base = NAME_PREFIX + when.astimezone(UTC).strftime(STAMP_FORMAT)
    name, n = base, 1
    while (dest_dir / name).exists():
        n += 1
        name = f"{base}-{n}"
    work = dest_dir / f".{name}.partial"
    work.mkdir()
    return dest_dir / name, work


async def create_backup(
    database_url: str,
    files_dir: Path,
    dest_dir: Path,
    *,
    origin: str = "manual",
    now: datetime | None = None,
) -> Path:
    """Back up the database and the files directory into a new directory below ``dest_dir``."""
    kind = database_kind(database_url)
    now = now or utcnow()
    final, work = await asyncio.to_thread(_start, dest_dir, now)
    try:
        db_file = DB_FILES[kind]
        meta_db: dict[str, Any] = {"kind": kind, "file": db_file}
        if kind == "sqlite":
            revision = await asyncio.to_thread(
                sqlite.backup, sqlite.database_path(database_url), work / db_file
            )
        else:
            target = postgres.PgTarget.from_url(database_url)
            revision = await postgres.dump(target, work / db_file)
            meta_db["schema"] = target.schema
        meta_db["alembic_revision"] = revision
        entries = [await asyncio.to_thread(manifest.entry_for, work, db_file)]
        entries += await asyncio.to_thread(manifest.copy_tree_hashed, files_dir, work, FILES_PREFIX)
        meta = {
            "created_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "origin": origin,
            "porucheno_version": _version(),
            "database": meta_db,
        }
        await asyncio.to_thread(manifest.write, work, meta, entries)
        await asyncio.to_thread(work.rename, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def known_revisions(database_url: str) -> set[str]:
    from alembic.script import ScriptDirectory

    from porucheno.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(database_url))
    return {rev.revision for rev in script.walk_revisions()}


async def target_is_empty(database_url: str) -> bool:
    if database_kind(database_url) == "sqlite":
        return await asyncio.to_thread(sqlite.is_empty, sqlite.database_path(database_url))
    return await postgres.is_empty(postgres.PgTarget.from_url(database_url))


def _dir_is_empty(path: Path) -> bool:
    return not path.exists() or not any(path.iterdir())


async def restore_backup(
    source: Path, database_url: str, files_dir: Path, *, force: bool = False
) -> dict[str, Any]:
    """Verify ``source`` completely, then restore it into the database and files directory.

    Refuses (BackupError) a damaged backup, one from a newer schema than this code knows, one of
    the other database kind, and a non-empty target unless ``force``. Returns the manifest.
    """
    data = await asyncio.to_thread(manifest.verify, source)
    db = data["database"]
    kind = database_kind(database_url)
    if db.get("kind") != kind:
        raise BackupError(f"The backup holds a {db.get('kind')} database; the target is {kind}")
    revision = db.get("alembic_revision")
    if revision and revision not in await asyncio.to_thread(known_revisions, database_url):
        raise BackupError(
            f"The backup is at database revision {revision}, which this version of Porucheno "
            "does not know: install the version that made it"
        )
    if not force:
        busy = []
        if not await target_is_empty(database_url):
            busy.append("database")
        if not _dir_is_empty(files_dir):
            busy.append(f"files directory {files_dir}")
        if busy:
            raise BackupError(f"The target is not empty ({', '.join(busy)}): use --force to replace it")
    db_file = source / str(manifest.safe_relative(str(db["file"])))
    if kind == "sqlite":
        await asyncio.to_thread(sqlite.restore, db_file, sqlite.database_path(database_url))
    else:
        target = postgres.PgTarget.from_url(database_url)
        await postgres.restore(target, db_file, str(db.get("schema") or "public"), force=force)
    await asyncio.to_thread(_restore_files, source, data, files_dir)
    return data


def _restore_files(source: Path, data: dict[str, Any], files_dir: Path) -> None:
    files_dir.mkdir(parents=True, exist_ok=True)
    # Replace the contents, not the directory itself: it may be a mount point.
    for child in files_dir.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for item in data["files"]:
        rel = manifest.safe_relative(str(item["path"]))
        if rel.parts[0] != FILES_PREFIX or len(rel.parts) < 2:
            continue
        target = files_dir.joinpath(*rel.parts[1:])
        target.parent.mkdir(parents=True, exist_ok=True)
        with (source / str(rel)).open("rb") as src, target.open("wb") as dst:
            _size, digest = manifest.copy_hashed(src, dst)
        if digest != item["sha256"]:  # changed on disk since verify(): do not leave it unnoticed
            raise BackupError(f"The backup changed while it was restored: {rel}")
        shutil.copystat(source / str(rel), target)
