"""PostgreSQL through ``pg_dump -Fc`` and ``pg_restore``, run as asyncio subprocesses.

One schema is backed up: the first entry of the URL's ``?search_path=`` (``public`` without one),
which is where the service keeps its tables. The connection goes to the tools in ``PG*``
environment variables, so a password never shows up in the process list.

pg_dump refuses a server of a newer major version, so the newest client found on PATH or in
``/usr/lib/postgresql/*/bin`` is used and a too-old one is reported with the package to install.
"""

from __future__ import annotations

import asyncio
import glob
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from services.backup.errors import BackupError

CLIENT_DIRS = "/usr/lib/postgresql/*/bin"
_VERSION_RE = re.compile(r"\(PostgreSQL\)\s+(\d+)")


@dataclass(frozen=True, slots=True)
class PgTarget:
    url: URL  # SQLAlchemy URL without search_path
    schema: str

    @classmethod
    def from_url(cls, database_url: str) -> PgTarget:
        url = make_url(database_url)
        # The first real schema of the search path ("$user" is a placeholder, not a schema).
        names = [n.strip().strip('"') for n in str(url.query.get("search_path") or "").split(",")]
        schema = next((n for n in names if n and not n.startswith("$")), "public")
        return cls(url.difference_update_query(["search_path"]), schema)

    def libpq_env(self) -> dict[str, str]:
        env = {"PGHOST": self.url.host or "localhost", "PGDATABASE": self.url.database or ""}
        if self.url.port:
            env["PGPORT"] = str(self.url.port)
        if self.url.username:
            env["PGUSER"] = self.url.username
        if self.url.password:
            env["PGPASSWORD"] = str(self.url.password)
        if "host" in self.url.query:  # a Unix socket directory
            env["PGHOST"] = str(self.url.query["host"])
        ssl = self.url.query.get("sslmode") or self.url.query.get("ssl")
        if ssl:
            env["PGSSLMODE"] = {"true": "require", "false": "disable"}.get(str(ssl).lower(), str(ssl))
        return env


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@asynccontextmanager
async def _connect(target: PgTarget) -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(target.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        try:
            conn = await engine.connect()
        except (OSError, SQLAlchemyError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            raise BackupError(f"PostgreSQL at {target.url.host} does not answer: {first}") from None
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        await engine.dispose()


async def _client_major(binary: str) -> int | None:
    out, _err, code = await _run([binary, "--version"], {})
    match = _VERSION_RE.search(out)
    return int(match.group(1)) if code == 0 and match else None


async def find_tools(server_major: int) -> tuple[str, str]:
    """(pg_dump, pg_restore) of the newest client; it must not be older than the server."""
    candidates = {p for p in [shutil.which("pg_dump"), *glob.glob(f"{CLIENT_DIRS}/pg_dump")] if p}
    best: tuple[int, str] | None = None
    for binary in candidates:
        major = await _client_major(binary)
        if major is not None and (best is None or major > best[0]):
            best = (major, binary)
    if best is None:
        raise BackupError("pg_dump is not installed: install the postgresql-client package")
    if best[0] < server_major:
        raise BackupError(
            f"pg_dump {best[0]} cannot dump a PostgreSQL {server_major} server: "
            f"install postgresql-client-{server_major}"
        )
    restore = Path(best[1]).with_name("pg_restore")
    if not restore.exists():
        raise BackupError(f"pg_restore is missing next to {best[1]}")
    return best[1], str(restore)


async def _run(argv: list[str], env: dict[str, str]) -> tuple[str, str, int]:
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await proc.communicate()
    return out.decode(errors="replace"), err.decode(errors="replace"), proc.returncode or 0


def _last_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


async def _server_facts(target: PgTarget) -> tuple[int, str | None]:
    """The server's major version and the schema's Alembic revision (None: no migrations ran)."""
    async with _connect(target) as conn:
        version = int((await conn.execute(text("show server_version_num"))).scalar_one()) // 10000
        table = f"{quote(target.schema)}.alembic_version"
        exists = (await conn.execute(text("select to_regclass(:t)"), {"t": table})).scalar()
        revision = None
        if exists:
            revision = (await conn.execute(text(f"select version_num from {table}"))).scalar()
    return version, revision


async def dump(target: PgTarget, dest: Path) -> str | None:
    """Dump the schema into ``dest`` (custom format); return its Alembic revision."""
    server_major, revision = await _server_facts(target)
    pg_dump, _ = await find_tools(server_major)
    argv = [pg_dump, "--format=custom", f"--schema={target.schema}", f"--file={dest}"]
    _out, err, code = await _run(argv, target.libpq_env())
    if code != 0:
        raise BackupError(f"pg_dump failed: {_last_line(err)}")
    return revision


async def _schema_state(conn: AsyncConnection, schema: str) -> tuple[bool, bool]:
    """(exists, empty): empty means no tables, sequences, views, types or functions in it."""
    oid = (
        await conn.execute(text("select oid from pg_namespace where nspname = :s"), {"s": schema})
    ).scalar()
    if oid is None:
        return False, True
    count = (
        await conn.execute(
            text(
                "select (select count(*) from pg_class where relnamespace = :o)"
                " + (select count(*) from pg_type where typnamespace = :o and typrelid = 0"
                "    and typelem = 0)"
                " + (select count(*) from pg_proc where pronamespace = :o)"
            ),
            {"o": oid},
        )
    ).scalar_one()
    return True, count == 0


async def is_empty(target: PgTarget) -> bool:
    async with _connect(target) as conn:
        return (await _schema_state(conn, target.schema))[1]


async def restore(target: PgTarget, source: Path, source_schema: str, *, force: bool) -> None:
    """Restore the dump into the target schema, which must be empty unless ``force``.

    With ``force`` the old schema is renamed aside first and dropped only after pg_restore
    succeeded, so a failed restore leaves the target as it was. A dump of another schema name is
    restored under its own name and then renamed (pg_dump qualifies every object by schema).
    """
    server_major, _ = await _server_facts(target)
    _, pg_restore = await find_tools(server_major)
    aside: str | None = None
    async with _connect(target) as conn:
        exists, empty = await _schema_state(conn, target.schema)
        if exists and not empty and not force:
            raise BackupError(f"The target schema {target.schema} is not empty: use --force to replace it")
        if source_schema != target.schema and (await _schema_state(conn, source_schema))[0]:
            raise BackupError(
                f"The backup's schema {source_schema} already exists in the target database: "
                f"restore into it or drop it first"
            )
        if exists:
            aside = f"{target.schema[:40]}_replaced_{uuid.uuid4().hex[:8]}"
            await conn.execute(text(f"alter schema {quote(target.schema)} rename to {quote(aside)}"))
    argv = [
        pg_restore,
        "--no-owner",
        "--no-acl",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={target.url.database}",
        str(source),
    ]
    _out, err, code = await _run(argv, target.libpq_env())
    async with _connect(target) as conn:
        if code != 0:
            if aside:  # the single transaction rolled back: put the old schema back
                await conn.execute(text(f"alter schema {quote(aside)} rename to {quote(target.schema)}"))
            raise BackupError(f"pg_restore failed: {_last_line(err)}")
        if source_schema != target.schema:
            await conn.execute(text(f"alter schema {quote(source_schema)} rename to {quote(target.schema)}"))
        if aside:
            await conn.execute(text(f"drop schema {quote(aside)} cascade"))
