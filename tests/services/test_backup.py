"""Backup and restore on SQLite and PostgreSQL: a round trip gives back every row and every byte of
every file; a damaged backup, one from a newer schema and a non-empty target are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.db import create_engine, create_session_factory
from models.enums import Role
from porucheno.settings import Settings
from services import staff
from services.audit import Actor
from services.backup import BackupError, create_backup, restore_backup
from services.backup.core import target_is_empty
from tests.services.backup_support import (
    FILES,
    drop_database,
    read_tree,
    resign,
    seeded_database,
    set_revision,
    snapshot,
    write_files,
)


async def _backup(settings: Settings, tmp_path: Path) -> Path:
    await seeded_database(settings.database_url)
    write_files(settings.files_dir)
    return await create_backup(settings.database_url, settings.files_dir, tmp_path / "backups")


async def test_round_trip_gives_back_every_row_and_byte(
    settings: Settings, target_url: str, tmp_path: Path
) -> None:
    backup = await _backup(settings, tmp_path)
    rows = await snapshot(settings.database_url)
    assert rows["appeals"] and rows["users"] and rows["audit_events"]
    await drop_database(settings.database_url)

    restored_files = tmp_path / "restored-files"
    data = await restore_backup(backup, target_url, restored_files)

    assert await snapshot(target_url) == rows
    assert read_tree(restored_files) == FILES
    assert data["database"]["alembic_revision"] == rows["alembic_version"][0][0]
    # Sequences came back too: the next row gets a fresh id, not one of the restored ones.
    engine = create_engine(target_url)
    try:
        async with create_session_factory(engine)() as session:
            user = await staff.create_user(
                session, Actor.system("test"), full_name="После восстановления", roles=[Role.EXECUTOR]
            )
            await session.commit()
    finally:
        await engine.dispose()
    assert user.id > max(row[0] for row in rows["users"])


async def test_manifest_lists_every_file_with_size_and_checksum(settings: Settings, tmp_path: Path) -> None:
    import hashlib
    import json

    backup = await _backup(settings, tmp_path)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["version"] == 1 and manifest["created_at"].endswith("Z")
    assert manifest["database"]["kind"] in ("sqlite", "postgresql")
    listed = {item["path"]: item for item in manifest["files"]}
    for rel, content in FILES.items():
        item = listed[f"files/{rel}"]
        assert item["size"] == len(content)
        assert item["sha256"] == hashlib.sha256(content).hexdigest()
    sums = (backup / "SHA256SUMS").read_text()
    assert "  manifest.json\n" in sums and f"  {manifest['database']['file']}\n" in sums


async def test_non_empty_target_is_refused_unless_forced(settings: Settings, tmp_path: Path) -> None:
    backup = await _backup(settings, tmp_path)
    rows = await snapshot(settings.database_url)
    # Work goes on after the backup: a new user and a new file.
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            await staff.create_user(session, Actor.system("test"), full_name="Новый", roles=[Role.EXECUTOR])
            await session.commit()
    finally:
        await engine.dispose()
    write_files(settings.files_dir, {"later/new.bin": b"\x01\x02"})
    changed = await snapshot(settings.database_url)
    assert changed != rows

    with pytest.raises(BackupError) as refused:
        await restore_backup(backup, settings.database_url, settings.files_dir)
    assert "not empty" in str(refused.value) and "--force" in str(refused.value)
    assert await snapshot(settings.database_url) == changed  # nothing was touched
    assert read_tree(settings.files_dir)["later/new.bin"] == b"\x01\x02"

    await restore_backup(backup, settings.database_url, settings.files_dir, force=True)
    assert await snapshot(settings.database_url) == rows
    assert read_tree(settings.files_dir) == FILES


async def test_empty_files_directory_alone_does_not_make_the_target_empty(
    settings: Settings, target_url: str, tmp_path: Path
) -> None:
    backup = await _backup(settings, tmp_path)
    occupied = tmp_path / "occupied"
    write_files(occupied, {"stray.txt": b"x"})
    with pytest.raises(BackupError, match=r"files directory"):
        await restore_backup(backup, target_url, occupied)
    assert read_tree(occupied) == {"stray.txt": b"x"}


@pytest.mark.parametrize("victim", ["database", "files/ab/cd/abcd0123", "manifest.json"])
async def test_one_changed_byte_is_refused(
    settings: Settings, target_url: str, tmp_path: Path, victim: str
) -> None:
    backup = await _backup(settings, tmp_path)
    path = next(backup.glob("database.*")) if victim == "database" else backup / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    restored_files = tmp_path / "restored-files"
    with pytest.raises(BackupError) as refused:
        await restore_backup(backup, target_url, restored_files)
    message = str(refused.value)
    assert message.startswith("The backup is damaged:") and "\n" not in message
    assert path.name in message
    assert not restored_files.exists()
    assert await target_is_empty(target_url)


async def test_backup_from_a_newer_schema_is_refused(
    settings: Settings, target_url: str, tmp_path: Path
) -> None:
    await seeded_database(settings.database_url)
    await set_revision(settings.database_url, "ffffffffffff")
    backup = await create_backup(settings.database_url, settings.files_dir, tmp_path / "backups")
    with pytest.raises(BackupError, match=r"revision ffffffffffff, which this version of Porucheno does not"):
        await restore_backup(backup, target_url, tmp_path / "restored-files")
    assert await target_is_empty(target_url)


def test_sqlite_backup_includes_what_is_still_in_the_wal(tmp_path: Path) -> None:
    """Why not ``cp``: committed rows wait in the -wal file until a checkpoint; the backup API has them."""
    import shutil
    import sqlite3

    from services.backup import sqlite as sqlite_backup

    db = tmp_path / "live.sqlite3"
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # the service's checkpoints simply have not run yet
    writer.execute("create table t (id integer primary key, v text)")
    writer.commit()
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    writer.executemany("insert into t (v) values (?)", [(f"row {i}",) for i in range(100)])
    writer.commit()
    assert os.path.getsize(f"{db}-wal") > 0

    shutil.copyfile(db, tmp_path / "copied.sqlite3")
    sqlite_backup.backup(db, tmp_path / "backed-up.sqlite3")
    writer.close()

    copied = sqlite3.connect(tmp_path / "copied.sqlite3")
    assert copied.execute("select count(*) from t").fetchone()[0] == 0
    backed_up = sqlite3.connect(tmp_path / "backed-up.sqlite3")
    assert backed_up.execute("select count(*) from t").fetchone()[0] == 100
    copied.close()
    backed_up.close()


def test_sqlite_backup_is_a_snapshot_while_writers_go_on(tmp_path: Path) -> None:
    """Every writer transaction adds a pair of rows: a consistent copy never holds half a pair."""
    import sqlite3
    import threading
    from contextlib import closing

    from services.backup import sqlite as sqlite_backup

    db = tmp_path / "busy.sqlite3"
    setup = sqlite3.connect(db)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("create table t (id integer primary key, v blob)")
    setup.executemany("insert into t (v) values (?)", [(os.urandom(2000),) for _ in range(2000)])
    setup.commit()
    setup.close()
    stop, writing = threading.Event(), threading.Event()

    def write() -> None:
        conn = sqlite3.connect(db, timeout=30)
        while not stop.is_set():
            with conn:
                conn.executemany("insert into t (v) values (?)", [(os.urandom(2000),), (os.urandom(2000),)])
            writing.set()
        conn.close()

    writers = [threading.Thread(target=write) for _ in range(2)]
    for thread in writers:
        thread.start()
    try:
        assert writing.wait(10)
        counts = []
        for n in range(3):
            copy = tmp_path / f"copy{n}.sqlite3"
            sqlite_backup.backup(db, copy)
            with closing(sqlite3.connect(copy)) as conn:
                counts.append(conn.execute("select count(*) from t").fetchone()[0])
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert all(count % 2 == 0 for count in counts)
    assert counts == sorted(counts) and counts[-1] > 2000  # the writers really were writing


async def test_crafted_manifest_cannot_write_outside_the_target(
    settings: Settings, target_url: str, tmp_path: Path
) -> None:
    """A backup whose checksums are consistent but whose paths climb out is refused before restoring."""
    import hashlib

    backup = await _backup(settings, tmp_path)
    (backup / "evil").write_bytes(b"owned")
    digest = hashlib.sha256(b"owned").hexdigest()
    resign(backup, extra=[{"path": "files/../../evil", "size": 5, "sha256": digest}])

    with pytest.raises(BackupError, match=r"unsafe path 'files/\.\./\.\./evil'"):
        await restore_backup(backup, target_url, tmp_path / "restored-files")
    assert await target_is_empty(target_url)


async def test_a_database_file_the_engine_rejects_leaves_the_target_as_it_was(
    settings: Settings, tmp_path: Path
) -> None:
    """Checksums match (the file was broken when the backup was made): --force still keeps the
    current data, because the old database is replaced only after the new one loaded."""
    backup = await _backup(settings, tmp_path)
    rows = await snapshot(settings.database_url)
    database = next(backup.glob("database.*"))
    database.write_bytes(database.read_bytes()[:4096] + b"\x00garbage" * 100)
    resign(backup)

    with pytest.raises(BackupError) as failed:
        await restore_backup(backup, settings.database_url, settings.files_dir, force=True)
    assert "\n" not in str(failed.value)
    assert await snapshot(settings.database_url) == rows
    assert read_tree(settings.files_dir) == FILES


@pytest.mark.parametrize(
    ("url", "schema", "env"),
    [
        (
            "postgresql+asyncpg://app:s3cr%40t@db.local:5433/city?search_path=t_1",
            "t_1",
            {
                "PGHOST": "db.local",
                "PGPORT": "5433",
                "PGUSER": "app",
                "PGPASSWORD": "s3cr@t",
                "PGDATABASE": "city",
            },
        ),
        ("postgresql+asyncpg://app@db/city?search_path=%22$user%22,public", "public", {"PGUSER": "app"}),
        ("postgresql+asyncpg://app@db/city?ssl=require", "public", {"PGSSLMODE": "require"}),
    ],
)
def test_the_database_url_reaches_pg_dump_as_libpq_settings(
    url: str, schema: str, env: dict[str, str]
) -> None:
    from services.backup.postgres import PgTarget

    target = PgTarget.from_url(url)
    assert target.schema == schema
    assert env.items() <= target.libpq_env().items()
    assert "search_path" not in target.url.query  # the schema goes to pg_dump as --schema instead
