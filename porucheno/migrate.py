"""Run Alembic migrations from code (CLI, demo start-up, tests).

The running service migrates in a short-lived child process (:func:`upgrade_in_child`): Alembic, Mako
and the migration scripts would otherwise stay in the service's memory for its whole life (about
20 MB of a bot process that handles updates). Alembic is imported only where it is used.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# The child reads the URL from its environment, not its command line, which `ps` shows to everyone.
_URL_VARIABLE = "PORUCHENO_MIGRATE_DATABASE_URL"


class MigrationFailed(RuntimeError):
    pass


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    # env.py runs its own event loop, so run it in a worker thread.
    await asyncio.to_thread(upgrade, database_url, revision)


async def upgrade_in_child(database_url: str) -> None:
    """Upgrade to head in a child process; its output goes to this process's stderr."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "porucheno.migrate",
        env={**os.environ, _URL_VARIABLE: database_url},
        cwd=str(MIGRATIONS_DIR.parent),
    )
    code = await child.wait()
    if code != 0:
        raise MigrationFailed(f"the database migration failed (exit code {code}): see the error above")


def _main() -> int:
    try:
        upgrade(os.environ[_URL_VARIABLE])
    except Exception as exc:  # the operator reads one line, not a traceback
        print(f"Migration error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main())
