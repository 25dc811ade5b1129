"""The access code of an appeal: given once at registration, it opens the public status page
together with the registration number (numbers are sequential, so a number alone proves nothing).
Only its SHA-256 is stored; the comparison takes the same time whatever the input."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L: the code is read from a screen or a letter and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12  # about 59 bits
GROUP = 4


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def _canonical(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(_canonical(code).encode()).hexdigest()


def matches(stored_hash: str | None, code: str) -> bool:
    """Whether ``code`` (typed with or without dashes, any case) is the appeal's access code."""
    # Compared even when nothing is stored, so a missing code costs the same time as a wrong one.
    return hmac.compare_digest(stored_hash or "", code_hash(code)) and bool(stored_hash)
