"""Backup and restore of the database and the files directory (``porucheno backup`` / ``restore``)."""

from services.backup.core import DEFAULT_DIR, create_backup, restore_backup
from services.backup.errors import BackupError
from services.backup.retention import nightly_backup, prune

__all__ = ["DEFAULT_DIR", "BackupError", "create_backup", "nightly_backup", "prune", "restore_backup"]
