"""Registration numbers ``YYYY-NNNNNN``: a sequence per year, without gaps in normal operation.

The next number is ``max + 1`` within the year; two registrations racing for the same number meet
the ``(reg_year, reg_seq)`` unique constraint, and the loser retries inside a SAVEPOINT, so its
transaction survives. On SQLite the caller's transaction already holds the write lock when the
maximum is read (the correspondent's counter is updated first), so there is no race there at all.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal

MAX_ATTEMPTS = 50


class DuplicateExternal(Exception):
    """Another registration with the same ``(channel, external_id)`` committed first."""


def registration_year(moment: datetime, tz: ZoneInfo) -> int:
    """The year in the organisation's zone: an appeal at 23:30 UTC on 31 December is next year's in
    Moscow."""
    return moment.astimezone(tz).year


def format_number(year: int, seq: int) -> str:
    return f"{year:04d}-{seq:06d}"


async def insert_numbered(session: AsyncSession, appeal: Appeal, year: int) -> Appeal:
    for _attempt in range(MAX_ATTEMPTS):
        last = await session.scalar(select(func.max(Appeal.reg_seq)).where(Appeal.reg_year == year))
        seq = (last or 0) + 1
        appeal.reg_year, appeal.reg_seq, appeal.reg_number = year, seq, format_number(year, seq)
        try:
            async with session.begin_nested():
                session.add(appeal)
                await session.flush()
            return appeal
        except IntegrityError:
            if appeal.external_id is not None and await _external_taken(session, appeal):
                raise DuplicateExternal from None
            # Someone else took this number: read the maximum again.
    raise RuntimeError("could not allocate an appeal registration number")


async def _external_taken(session: AsyncSession, appeal: Appeal) -> bool:
    found = await session.scalar(
        select(Appeal.id).where(Appeal.channel == appeal.channel, Appeal.external_id == appeal.external_id)
    )
    return found is not None
