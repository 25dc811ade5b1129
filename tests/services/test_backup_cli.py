"""``porucheno backup`` / ``porucheno restore`` as an operator runs them, and the nightly job with
its retention, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.settings import Settings
from scheduler import jobs
from scheduler.factory import SchedulerHealth, create_scheduler
from services.backup import create_backup
from tests.services.backup_support import (
    FILES,
    drop_database,
    read_tree,
    seeded_database,
    snapshot,
    write_files,
)


def porucheno(where: tuple[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command in the test's directory against (database URL, files directory)."""
    database_url, files_dir = where
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORUCHENO_")}
    env.update({"PORUCHENO_DATABASE_URL": database_url, "PORUCHENO_FILES_DIR": str(files_dir)})
    return subprocess.run(
        [sys.executable, "-m", "porucheno", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=files_dir.parent,
        timeout=120,
    )


async def test_backup_and_restore_from_the_command_line(
    settings: Settings, target_url: str, tmp_path: Path
) -> None:
    await seeded_database(settings.database_url)
    write_files(settings.files_dir)
    rows = await snapshot(settings.database_url)

    made = porucheno((settings.database_url, settings.files_dir), "backup", "--to", "backups")
    assert made.returncode == 0, made.stderr
    (backup,) = (tmp_path / "backups").iterdir()
    assert made.stdout.strip() == f"Backup written to {Path('backups') / backup.name}"

    await drop_database(settings.database_url)  # the server is lost; restore onto a new one
    restored_files = tmp_path / "restored-files"
    target = (target_url, restored_files)
    restored = porucheno(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("Restored the backup of ")
    assert restored.stdout.rstrip().endswith(f"into the database and {restored_files}")
    assert await snapshot(target_url) == rows
    assert read_tree(restored_files) == FILES

    again = porucheno(target, "restore", str(backup))
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        f"The target is not empty (database, files directory {restored_files}): use --force to replace it"
    ]
    forced = porucheno(target, "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert await snapshot(target_url) == rows


def test_restore_of_something_else_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "not-a-backup").mkdir()
    result = porucheno((f"sqlite:///{tmp_path}/x.sqlite3", tmp_path / "files"), "restore", "not-a-backup")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["Not a Porucheno backup: not-a-backup has no SHA256SUMS"]


def _nightly_settings(settings: Settings, backup_dir: Path, keep: int) -> Settings:
    return settings.model_copy(update={"backup_dir": backup_dir, "backup_at": "03:00", "backup_keep": keep})


async def test_nightly_job_keeps_the_newest_and_touches_nothing_else(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    write_files(settings.files_dir)
    backup_dir = tmp_path / "nightly"
    nightly = _nightly_settings(settings, backup_dir, keep=3)
    # Things in the same directory that the job did not make: a manual backup, a look-alike
    # directory without a manifest, and an operator's note.
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    manual = await create_backup(settings.database_url, settings.files_dir, backup_dir, now=long_ago)
    lookalike = backup_dir / "porucheno-backup-20000101T000000Z"
    lookalike.mkdir()
    (backup_dir / "notes.txt").write_text("keep me")

    first_night = datetime(2026, 3, 1, 0, 5, tzinfo=UTC)  # 03:05 in Moscow
    made = []
    for day in range(5):
        now = first_night + timedelta(days=day)
        made.append(await jobs.nightly_backup(nightly, now=now))
        # A second run the same night (a restart, a misfire catch-up) makes nothing more.
        assert await jobs.nightly_backup(nightly, now=now + timedelta(hours=2)) is None

    assert all(made)
    remaining = sorted(p.name for p in backup_dir.iterdir())
    assert remaining == sorted(
        [manual.name, lookalike.name, "notes.txt", *(p.name for p in made[-3:])]  # type: ignore[union-attr]
    )
    assert read_tree(backup_dir / made[-1].name / "files") == FILES  # type: ignore[union-attr]


async def test_nightly_job_is_scheduled_only_when_configured(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    off = {job.id for job in create_scheduler(settings, session_factory, SchedulerHealth()).get_jobs()}
    assert "nightly_backup" not in off
    on = create_scheduler(_nightly_settings(settings, tmp_path / "b", 3), session_factory, SchedulerHealth())
    job = next(job for job in on.get_jobs() if job.id == "nightly_backup")
    assert "hour='3'" in str(job.trigger) and "minute='0'" in str(job.trigger)
