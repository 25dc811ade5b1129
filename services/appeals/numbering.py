"""Registration numbers ``YYYY-NNNNNN``: a sequence per year, without gaps in normal operation.

The next number is ``max + 1`` within the year; two registrations racing for the same number meet
the ``(reg_year, reg_seq)`` unique constraint, and the loser retries inside a SAVEPOINT, so its
transaction survives. On SQLite the caller's transaction already holds the write lock when the
maximum is read (the correspondent's counter is updated first), so there is no race there at all.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, utcnow
from services.errors import InvalidInput, NotFound

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


# -- typed references ----------------------------------------------------------------------------
# What people type where an appeal is linked: the number as shown (``2026-000004``, with «№», spaces
# or another dash), the paper style ``4/2026``, or the bare sequence ``000004`` of the current year.
# Plain digits without leading zeros were the internal id before the number was accepted; they still
# are when that is unambiguous.
_FULL_RE = re.compile(r"(\d{4})\s*[-‐‑‒–—/.]\s*(\d{1,9})")
_SLASH_RE = re.compile(r"(\d{1,9})\s*/\s*(\d{4})")
_BARE_RE = re.compile(r"\d{1,9}")
_NOISE_RE = re.compile(r"^(?:№|no\.?|n|#)\s*", re.IGNORECASE)
REFERENCE_LIMIT = 40


def _clean(raw: str) -> str:
    return _NOISE_RE.sub("", (raw or "").strip()).strip()


def _plausible_year(year: int) -> bool:
    return 1990 <= year <= 2199


async def _by_number(session: AsyncSession, year: int, seq: int) -> Appeal | None:
    return await session.scalar(select(Appeal).where(Appeal.reg_year == year, Appeal.reg_seq == seq))


async def find_by_reference(session: AsyncSession, raw: str, *, year: int) -> Appeal:
    """The appeal a typed reference names; ``year`` is the current registration year.

    Raises ``InvalidInput`` for something that is not a reference (or names two appeals) and
    ``NotFound`` when no appeal has that number: both say which format is expected.
    """
    text = _clean(raw)
    example = format_number(year, 4)
    if not text or len(text) > REFERENCE_LIMIT:
        raise InvalidInput("Enter the appeal number, e.g. %(example)s.", example=example)
    # «1234/2026» is the paper style, «2026/1234» the shown one with a slash: the year decides.
    slash, full = _SLASH_RE.fullmatch(text), _FULL_RE.fullmatch(text)
    if slash and _plausible_year(int(slash.group(2))):
        found = await _by_number(session, int(slash.group(2)), int(slash.group(1)))
    elif full:
        found = await _by_number(session, int(full.group(1)), int(full.group(2)))
    elif _BARE_RE.fullmatch(text):
        found = await _bare(session, text, year=year, example=example)
    else:
        raise InvalidInput("Enter the appeal number, e.g. %(example)s.", example=example)
    if found is None:
        raise NotFound("There is no appeal with the number %(number)s.", number=text)
    return found


async def _bare(session: AsyncSession, text: str, *, year: int, example: str) -> Appeal | None:
    by_seq = await _by_number(session, year, int(text))
    if text.startswith("0"):  # zero-padded: only ever the sequence part of a number
        return by_seq
    by_id = await session.get(Appeal, int(text))
    if by_seq is not None and by_id is not None and by_seq.id != by_id.id:
        raise InvalidInput(
            "The number %(number)s is ambiguous: enter it in full, e.g. %(example)s.",
            number=text,
            example=example,
        )
    return by_seq or by_id


def current_year(tz: ZoneInfo, now: datetime | None = None) -> int:
    """The registration year today in the organisation's zone (what a bare number belongs to)."""
    return registration_year(now or utcnow(), tz)
