"""Proving an e-mail address from Telegram: a 6-digit one-time code sent to the address.

The code goes out through the ordinary mail queue (``mail_outbox``, sent by the SMTP sender). Only
a salted SHA-256 of it is stored; it expires after ``CODE_TTL``, allows ``MAX_ATTEMPTS`` tries, and
codes are rate-limited per account and per address (a mailbox must not be flooded from the bot).
A right code is a proof: ``proofs.prove_contact`` may then link the account's record.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EmailCode, utcnow
from services.audit import Actor, record
from services.correspondents.normalize import normalize_email
from services.correspondents.proofs import prove_contact
from services.errors import InvalidInput
from services.mail_outbox import enqueue_mail
from services.notify import N_, Translator

CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
RATE_WINDOW = timedelta(hours=1)
PER_ACCOUNT_LIMIT = 3  # codes an account may ask for per hour
PER_ADDRESS_LIMIT = 5  # codes one address may receive per hour, from everyone

SUBJECT = N_("E-mail confirmation code")
BODY = N_(
    "Your confirmation code: %(code)s\n\nEnter it in the Telegram bot to confirm this address. "
    "The code is valid for %(minutes)d minutes.\n\nIf you did not ask for it, ignore this letter: "
    "without the code nobody gets access to your appeals."
)


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


async def _count_since(session: AsyncSession, condition, since: datetime) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(EmailCode).where(condition, EmailCode.created_at >= since)
    return await session.scalar(query) or 0


async def send_code(
    session: AsyncSession, telegram_id: int, email: str, *, locale: str, now: datetime | None = None
) -> None:
    """Queue a new code to ``email``; earlier codes of this account for it stop working."""
    address = normalize_email(email)
    if address is None:
        raise InvalidInput("This does not look like an e-mail address.")
    now = now or utcnow()
    since = now - RATE_WINDOW
    if (
        await _count_since(session, EmailCode.telegram_id == telegram_id, since) >= PER_ACCOUNT_LIMIT
        or await _count_since(session, EmailCode.email == address, since) >= PER_ADDRESS_LIMIT
    ):
        raise InvalidInput("Too many codes have been requested. Please try again in an hour.")
    await _expire_open(session, telegram_id, address, now)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    row = EmailCode(
        telegram_id=telegram_id,
        email=address,
        code_hash=_hash(salt, code),
        salt=salt,
        attempts=0,
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    session.add(row)
    await session.flush()
    t = Translator(locale)
    await enqueue_mail(
        session,
        appeal_id=None,
        to=address,
        subject=t(SUBJECT),
        body=t(BODY, code=code, minutes=int(CODE_TTL.total_seconds() // 60)),
        in_reply_to=None,
        dedup_key=f"email-code:{row.id}",
    )
    record(session, Actor(telegram_id=telegram_id), "telegram_account", telegram_id, "email_code_sent")


async def _expire_open(session: AsyncSession, telegram_id: int, address: str, now: datetime) -> None:
    rows = await session.scalars(
        select(EmailCode).where(
            EmailCode.telegram_id == telegram_id,
            EmailCode.email == address,
            EmailCode.confirmed_at.is_(None),
            EmailCode.expires_at > now,
        )
    )
    for row in rows.all():
        row.expires_at = now


async def confirm_code(
    session: AsyncSession, telegram_id: int, email: str, code: str, *, now: datetime | None = None
) -> bool:
    """True when ``code`` is the live code of this account for ``email``: the address is then
    proven (and may link the account's record). A wrong code uses up an attempt."""
    address = normalize_email(email)
    now = now or utcnow()
    row = await session.scalar(
        select(EmailCode)
        .where(
            EmailCode.telegram_id == telegram_id,
            EmailCode.email == (address or ""),
            EmailCode.confirmed_at.is_(None),
            EmailCode.expires_at > now,
        )
        .order_by(EmailCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None:
        raise InvalidInput("The code has expired. Type the e-mail address again to get a new one.")
    if row.attempts >= MAX_ATTEMPTS:
        raise InvalidInput("Too many wrong attempts. Type the e-mail address again to get a new code.")
    row.attempts += 1
    typed = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(row.code_hash, _hash(row.salt, typed)):
        await session.flush()
        return False
    row.confirmed_at = now
    actor = Actor(telegram_id=telegram_id)
    record(session, actor, "telegram_account", telegram_id, "email_confirmed")
    await prove_contact(session, telegram_id, email=row.email, actor=actor)
    return True


async def was_confirmed(
    session: AsyncSession, telegram_id: int, email: str | None, *, now: datetime | None = None
) -> bool:
    """Whether this account confirmed ``email`` with a code within the last day (a draft's proof)."""
    address = normalize_email(email)
    if address is None:
        return False
    since = (now or utcnow()) - timedelta(days=1)
    found = await session.scalar(
        select(EmailCode.id)
        .where(
            EmailCode.telegram_id == telegram_id,
            EmailCode.email == address,
            EmailCode.confirmed_at.is_not(None),
            EmailCode.confirmed_at >= since,
        )
        .limit(1)
    )
    return found is not None
