"""A Telegram account proves a contact: a phone shared with Telegram's own contact button (its
``user_id`` is the sender), or an e-mail address confirmed with a one-time code (``email_codes``).

A proof links the account to the record holding that contact when the account has no record yet
and no other account holds it; an account that already has a record gets the contact added, and a
second record with the same contact becomes a duplicate suggestion for a clerk.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent
from services.audit import Actor, record
from services.correspondents import suggestions
from services.correspondents.directory import (
    first_record,
    link_telegram_account,
    own_record,
    unowned_by_others,
)
from services.correspondents.normalize import normalize_email, normalize_phone


async def prove_contact(
    session: AsyncSession,
    telegram_id: int,
    *,
    phone: str | None = None,
    email: str | None = None,
    actor: Actor,
) -> Correspondent | None:
    """Record a proven phone or e-mail of ``telegram_id``; returns the account's record, if any."""
    phone, email = normalize_phone(phone), normalize_email(email)
    own = await own_record(session, telegram_id)
    free = unowned_by_others(telegram_id)
    for kind, value in (("phone", phone), ("email", email)):
        if not value:
            continue
        column = Correspondent.phone_normalized if kind == "phone" else Correspondent.email
        match = await first_record(session, column == value, free)
        if own is None and match is not None:
            own = match
            own.telegram_id = own.telegram_id or telegram_id
            await link_telegram_account(session, telegram_id, own.id)
            record(session, actor, "correspondent", own.id, "telegram_linked", data={"proof": kind})
        if own is None:
            continue  # the record is made with the first appeal, carrying the proven contact
        _prove_on(session, own, kind, value, actor)
        if match is not None and match.id != own.id:
            await suggestions.suggest(
                session,
                own,
                phone=value if kind == "phone" else None,
                email=value if kind == "email" else None,
                appeal_id=None,
                actor=actor,
            )
    await session.flush()
    return own


def _prove_on(session: AsyncSession, c: Correspondent, kind: str, value: str, actor: Actor) -> None:
    if kind == "phone":
        if c.phone_normalized is None:
            c.phone, c.phone_normalized = value, value
        if c.phone_normalized == value and not c.phone_proven:
            c.phone_proven = True
            record(session, actor, "correspondent", c.id, "contact_proven", data={"kind": kind})
    else:
        if c.email is None:
            c.email = value
        if c.email == value and not c.email_proven:
            c.email_proven = True
            record(session, actor, "correspondent", c.id, "contact_proven", data={"kind": kind})
