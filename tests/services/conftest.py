"""Fixtures shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.backup_support import other_database


@pytest.fixture
def target_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """Where a backup is restored to: a second empty database of the test's kind."""
    with other_database(db_backend, tmp_path) as url:
        yield url
