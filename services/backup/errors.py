"""The one error backup and restore raise: its message is a single line a person can act on."""

from __future__ import annotations


class BackupError(Exception):
    """Backup or restore refused or failed; ``str(exc)`` is one line, never a traceback."""
