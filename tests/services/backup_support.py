"""Helpers of the backup tests: a database with real content, whole-database snapshots to compare
row for row, and a files directory with a binary file, an empty file and nested directories."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

import models
from models.db import create_engine, create_session_factory
from porucheno.demo_seed import seed_demo
from porucheno.migrate import upgrade_async
from tests.conftest import _pg_exec, private_database

BINARY = bytes(range(256)) * 41 + b"\x00\xff\r\n"
FILES = {
    "ab/cd/abcd0123": BINARY,
    "ab/ef/deep/er/still/photo.jpg": b"\xff\xd8\xff\xe0" + BINARY[::-1],
    "reports/пустой.xlsx": b"",
    "top.txt": "Жалоба № 1\n".encode(),
}


async def seeded_database(database_url: str) -> None:
    """Migrations (so the backup has an Alembic revision) plus the demo town's rows."""
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            assert await seed_demo(session)
            await session.commit()
    finally:
        await engine.dispose()


def write_files(files_dir: Path, files: dict[str, bytes] = FILES) -> None:
    for rel, data in files.items():
        path = files_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


async def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the Alembic revision), in primary-key order."""
    engine = create_engine(database_url)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    try:
        async with engine.connect() as conn:
            for table in models.Base.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(r) for r in (await conn.execute(query)).all()]
            revision = await conn.execute(text("select * from alembic_version"))
            rows["alembic_version"] = [tuple(r) for r in revision]
    finally:
        await engine.dispose()
    return rows


async def set_revision(database_url: str, revision: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("update alembic_version set version_num = :r"), {"r": revision})
    finally:
        await engine.dispose()


@contextmanager
def other_database(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind: another file, or another PostgreSQL schema."""
    with private_database(db_backend, tmp_path / "restored" / "porucheno.sqlite3", "r") as url:
        yield url


async def drop_database(database_url: str) -> None:
    """The original is lost (the disaster a backup is for)."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(f"{path}{suffix}").unlink, missing_ok=True)
        return
    schema = database_url.rsplit("search_path=", 1)[1]
    await _pg_exec(f'DROP SCHEMA "{schema}" CASCADE')


def resign(backup: Path, extra: list[dict[str, Any]] | None = None) -> None:
    """Recompute a tampered backup's manifest and checksums, as a forger (or a buggy tool) would."""
    manifest = json.loads((backup / "manifest.json").read_text())
    for item in manifest["files"]:
        data = (backup / item["path"]).read_bytes()
        item.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    manifest["files"] += extra or []
    (backup / "manifest.json").write_text(json.dumps(manifest))
    listed = [(item["sha256"], item["path"]) for item in manifest["files"]]
    listed.append((hashlib.sha256((backup / "manifest.json").read_bytes()).hexdigest(), "manifest.json"))
    (backup / "SHA256SUMS").write_text("".join(f"{digest}  {path}\n" for digest, path in listed))
