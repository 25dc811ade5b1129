"""Passwords are stored with the product's Argon2id parameters, and a hash made with weaker ones
(an older release, an imported account) is upgraded at the next successful sign-in.

The rest of the suite hashes cheaply (``cheap_passwords`` in ``tests/conftest.py``); these tests
opt out with the ``real_passwords`` marker.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from services import passwords, staff
from services.audit import Actor

pytestmark = pytest.mark.real_passwords

SYSTEM = Actor.system("test")
PASSWORD = "correct horse battery staple"


def test_product_parameters_are_rfc9106() -> None:
    stored = passwords.hash_password(PASSWORD)
    # RFC 9106's second recommended option: Argon2id, 64 MiB, 3 passes, 4 lanes.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + "!")
    assert not passwords.verify_password(None, PASSWORD)


async def test_weak_hash_is_upgraded_at_sign_in(session: AsyncSession) -> None:
    user = await staff.create_user(session, SYSTEM, full_name="Иванов И. И.", login="ivanov")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    await session.flush()

    assert await staff.authenticate(session, "ivanov", "wrong password entirely") is None
    assert user.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")  # a failed sign-in changes nothing

    assert await staff.authenticate(session, " Ivanov ", PASSWORD) is user
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await staff.authenticate(session, "ivanov", PASSWORD) is user
