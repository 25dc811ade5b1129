"""What to do when a part of the test environment is missing.

On a developer's machine a missing PostgreSQL, Chromium or Dovecot skips the tests that need it, with
the reason printed. In CI (``CI`` set) the same gap fails those tests: a green run must never hide that
half of the suite did not run.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> None:
    """Skip (locally) or fail (in CI) the current test because ``reason``."""
    if in_ci():
        pytest.fail(f"CI requires it: {reason}", pytrace=False)
    pytest.skip(reason)
