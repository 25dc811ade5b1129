"""Argon2id password hashing (argon2-cffi defaults follow RFC 9106 recommendations) and the
password rules every way of setting a password goes through.

The rules: at least ``MIN_PASSWORD_LENGTH`` characters, and not guessable. zxcvbn ships its lists
(the most common passwords from breaches, names, English words, keyboard patterns) inside the
package, so nothing is looked up over the network; the user's own login and name count as guessable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", more than 10^8 guesses
_SEPARATORS = re.compile(r"[\s@._+-]+")
MAX_CHECKED_LENGTH = 100  # zxcvbn's work grows with the length; past this a password is not "common"

_hasher = PasswordHasher()  # parameters only; nothing is computed at import


@functools.cache
def _dummy_hash() -> str:
    """A fixed hash to verify against when the login is unknown, so timing does not reveal which logins
    exist. Made on first use: hashing takes 64 MB for a moment, which the bot's processes (which never
    check passwords) should not carry as their peak memory."""
    return _hasher.hash("porucheno-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_password(
    password: str, *, user_inputs: Iterable[str | None] = (), field: str | None = None
) -> None:
    """Refuse a short, common or easily guessed password (raises :class:`InvalidInput`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH, field=field
        )
    # Whole values and their parts: "petr.ivanov@city.ru" makes "petr" and "ivanov" guessable too.
    inputs = [v for v in user_inputs if v]
    inputs += [part for v in inputs for part in _SEPARATORS.split(v) if len(part) >= 3]
    from zxcvbn import zxcvbn  # imported lazily: its word lists cost ~20 MB, only password changes need them

    if zxcvbn(password[:MAX_CHECKED_LENGTH], user_inputs=inputs)["score"] < MIN_SCORE:
        raise InvalidInput(
            "This password is too common or too easy to guess. "
            "Use a phrase of several unrelated words or a random password.",
            field=field,
        )
