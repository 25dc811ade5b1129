"""The mail quarantine: letters the intake could not register, kept whole for a clerk.

The poller puts a letter here when even registering it as a raw ``.eml`` failed, and then moves
the mailbox cursor past it (``services/mail/intake.py``). A clerk downloads the original, retries
the registration once the cause is fixed (``services/mail/retry.py``), or dismisses it; each step
is audited.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email import policy
from email.parser import BytesParser

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import utcnow
from models.mail_quarantine import (
    QUARANTINE_DISMISSED,
    QUARANTINE_PENDING,
    MailQuarantine,
)
from services import audit
from services.audit import Actor
from services.errors import InvalidInput, NotFound
from services.text_input import clean_line, clean_text

log = logging.getLogger(__name__)

ENTITY = "mail_quarantine"
# Cursor and quarantine names of the service desk's mailbox start so: its letters are not appeals.
SERVICE_DESK_MAILBOX = "desk:"
PAGE_SIZE = 50


def describe_error(exc: BaseException) -> tuple[str, str]:
    return type(exc).__name__[:255], clean_text(str(exc))[:2000]


def _headline(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """Subject, sender and Message-ID for the list, read as leniently as possible."""
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    except Exception:
        return None, None, None

    def header(name: str, limit: int) -> str | None:
        try:
            value = msg.get(name)
        except Exception:  # a header broken beyond decoding: the raw letter still has it
            return None
        return clean_line(str(value)).strip()[:limit] or None if value is not None else None

    return header("Subject", 500), header("From", 255), header("Message-ID", 500)


async def quarantine_letter(
    session: AsyncSession,
    *,
    mailbox: str,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    error: BaseException,
    actor: Actor,
    now: datetime | None = None,
) -> MailQuarantine:
    """Keep the letter (once per mailbox position: a repeat only counts the attempt)."""
    error_class, error_message = describe_error(error)
    item = await session.scalar(
        select(MailQuarantine).where(
            MailQuarantine.mailbox == mailbox,
            MailQuarantine.uidvalidity == uidvalidity,
            MailQuarantine.uid == uid,
        )
    )
    if item is not None:
        item.attempts += 1
        item.error_class, item.error_message = error_class, error_message
        return item
    subject, sender, message_id = _headline(raw)
    item = MailQuarantine(
        mailbox=mailbox[:255],
        uidvalidity=uidvalidity,
        uid=uid,
        received_at=now or utcnow(),
        message_id=message_id,
        subject=subject,
        sender=sender,
        error_class=error_class,
        error_message=error_message,
        raw=raw,
        size=len(raw),
        status=QUARANTINE_PENDING,
        attempts=1,
    )
    session.add(item)
    await session.flush()
    audit.record(
        session,
        actor,
        ENTITY,
        item.id,
        "mail_quarantined",
        new_state=QUARANTINE_PENDING,
        reason=error_class,
        data={"mailbox": mailbox, "uid": uid, "uidvalidity": uidvalidity, "size": len(raw)},
    )
    return item


async def pending_count(session: AsyncSession) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(MailQuarantine)
            .where(MailQuarantine.status == QUARANTINE_PENDING)
        )
        or 0
    )


async def list_letters(session: AsyncSession, *, status: str | None, offset: int = 0) -> list[MailQuarantine]:
    query = select(MailQuarantine).order_by(MailQuarantine.received_at.desc(), MailQuarantine.id.desc())
    if status:
        query = query.where(MailQuarantine.status == status)
    return list((await session.scalars(query.offset(offset).limit(PAGE_SIZE))).all())


async def get_letter(session: AsyncSession, item_id: int) -> MailQuarantine:
    item = await session.get(MailQuarantine, item_id)
    if item is None:
        raise NotFound("There is no such letter in the quarantine.")
    return item


def require_pending(item: MailQuarantine) -> None:
    if item.status != QUARANTINE_PENDING:
        raise InvalidInput("This letter has already been dealt with.")


def require_appeal_letter(item: MailQuarantine) -> None:
    """A letter to the service desk's mailbox must not be retried into a resident's appeal."""
    if item.mailbox.startswith(SERVICE_DESK_MAILBOX):
        raise InvalidInput(
            "This letter came to the service desk mailbox: download it and file the request by hand."
        )


async def dismiss_letter(session: AsyncSession, item_id: int, *, actor: Actor, reason: str | None) -> None:
    item = await get_letter(session, item_id)
    require_pending(item)
    resolve(item, QUARANTINE_DISMISSED, actor)
    audit.record(
        session,
        actor,
        ENTITY,
        item.id,
        "mail_quarantine_dismissed",
        old_state=QUARANTINE_PENDING,
        new_state=QUARANTINE_DISMISSED,
        reason=clean_text(reason or "")[:1000] or None,
    )


def resolve(item: MailQuarantine, status: str, actor: Actor) -> None:
    item.status = status
    item.resolved_at = utcnow()
    item.resolved_by_id = actor.user_id
