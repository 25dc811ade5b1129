"""E-mail confirmation codes: stored only as a salted hash, expire, allow few attempts, rate-limited
per account and per address; a right code proves the address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EmailCode, MailOutbox
from services.correspondents import email_codes
from services.errors import InvalidInput
from tests.services.appeals_helpers import add_account

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


async def last_code(session: AsyncSession) -> str:
    letter = await session.scalar(select(MailOutbox).order_by(MailOutbox.id.desc()))
    assert letter is not None
    match = re.search(r"\b(\d{6})\b", letter.body)
    assert match is not None
    return match.group(1)


async def test_codes_are_hashed_expire_and_are_rate_limited(session: AsyncSession) -> None:
    for telegram_id in (1, 2, 3, 4, 5, 6):
        await add_account(session, telegram_id)
    await email_codes.send_code(session, 1, "A@Example.ru", locale="ru", now=NOW)
    code = await last_code(session)
    row = await session.scalar(select(EmailCode))
    assert row is not None and row.email == "a@example.ru" and code not in (row.code_hash, row.salt)
    # Expired after 15 minutes; a fresh code works once, and not for another account.
    with pytest.raises(InvalidInput):
        await email_codes.confirm_code(session, 1, "a@example.ru", code, now=NOW + timedelta(minutes=16))
    await email_codes.send_code(session, 1, "a@example.ru", locale="ru", now=NOW + timedelta(minutes=20))
    code = await last_code(session)
    with pytest.raises(InvalidInput):
        await email_codes.confirm_code(session, 2, "a@example.ru", code, now=NOW + timedelta(minutes=21))
    assert await email_codes.confirm_code(session, 1, "a@example.ru", code, now=NOW + timedelta(minutes=21))
    assert await email_codes.was_confirmed(session, 1, "A@example.ru", now=NOW + timedelta(hours=1))
    assert not await email_codes.was_confirmed(session, 2, "a@example.ru", now=NOW + timedelta(hours=1))
    # Three codes per account an hour; five per address an hour, whoever asks.
    await email_codes.send_code(session, 1, "b@example.ru", locale="ru", now=NOW + timedelta(minutes=30))
    with pytest.raises(InvalidInput, match="Too many codes"):
        await email_codes.send_code(session, 1, "c@example.ru", locale="ru", now=NOW + timedelta(minutes=31))
    for telegram_id in (2, 3, 4, 5):
        await email_codes.send_code(session, telegram_id, "d@example.ru", locale="ru", now=NOW)
    await email_codes.send_code(session, 6, "d@example.ru", locale="ru", now=NOW)
    with pytest.raises(InvalidInput, match="Too many codes"):
        await email_codes.send_code(session, 6, "d@example.ru", locale="ru", now=NOW)
