"""The nightly backup and its retention.

Retention deletes only what the nightly job itself made: a real directory (not a symlink) named
``porucheno-backup-…`` whose manifest says ``"origin": "nightly"``. Manual backups, other files
and anything unreadable in the backup directory are never touched, whatever their age.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from services.backup import manifest
from services.backup.core import NAME_PREFIX, create_backup

log = logging.getLogger(__name__)

NIGHTLY = "nightly"
_NAME_RE = re.compile(re.escape(NAME_PREFIX) + r"\d{8}T\d{6}Z(-\d+)?")


@dataclass(frozen=True, slots=True)
class Listed:
    path: Path
    created_at: datetime


def backups(dest_dir: Path, origin: str) -> list[Listed]:
    """Finished backups of this origin in ``dest_dir``, oldest first."""
    found: list[Listed] = []
    if not dest_dir.is_dir():
        return found
    for path in dest_dir.iterdir():
        if not _NAME_RE.fullmatch(path.name) or path.is_symlink() or not path.is_dir():
            continue
        data = manifest.read_unverified(path)
        if data is None or data.get("origin") != origin:
            continue
        try:
            created = datetime.fromisoformat(str(data["created_at"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            continue
        found.append(Listed(path, created))
    return sorted(found, key=lambda b: (b.created_at, b.path.name))


def prune(dest_dir: Path, keep: int, origin: str = NIGHTLY) -> list[Path]:
    """Delete the oldest backups of ``origin`` beyond the newest ``keep``; return what went."""
    doomed = [b.path for b in backups(dest_dir, origin)[:-keep]] if keep > 0 else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed


@dataclass(frozen=True, slots=True)
class NightlyResult:
    created: Path | None
    deleted: list[Path]


async def nightly_backup(
    database_url: str, files_dir: Path, dest_dir: Path, keep: int, *, due_since: datetime, now: datetime
) -> NightlyResult:
    """Make today's backup unless one was already made since ``due_since`` (the latest scheduled
    time), so a restart or a re-run never doubles it; then apply retention."""
    if any(b.created_at >= due_since for b in await asyncio.to_thread(backups, dest_dir, NIGHTLY)):
        return NightlyResult(None, [])
    created = await create_backup(database_url, files_dir, dest_dir, origin=NIGHTLY, now=now)
    deleted = await asyncio.to_thread(prune, dest_dir, keep)
    log.info("nightly backup %s; %d old backups deleted", created, len(deleted))
    return NightlyResult(created, deleted)
