"""A quarantined letter of the service mailbox taken in again (the panel's «retry»): it files its
request or joins its thread as the poll would have, or stays quarantined with the new error.

Kept apart from ``services.mail.retry``, which registers appeals: a letter to the service desk must
never become a resident's appeal (``quarantine.require_appeal_letter`` guards that side).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import MailQuarantine, ServiceRequest
from models.mail_quarantine import QUARANTINE_DISMISSED, QUARANTINE_PENDING, QUARANTINE_REGISTERED
from services import audit
from services.audit import Actor
from services.errors import InvalidInput
from services.mail import quarantine
from services.service_desk.mail_in import DeskMail, take_letter

log = logging.getLogger(__name__)


@dataclass
class DeskRetry:
    request: ServiceRequest | None  # None: an auto-reply, our own letter or one already taken
    error: str | None = None  # why it still fails; the letter stays in the quarantine

    @property
    def ok(self) -> bool:
        return self.error is None


def is_desk_letter(item: MailQuarantine) -> bool:
    return item.mailbox.startswith(quarantine.SERVICE_DESK_MAILBOX)


async def retry_desk_letter(
    session: AsyncSession, item_id: int, *, actor: Actor, desk: DeskMail
) -> DeskRetry:
    item = await quarantine.get_letter(session, item_id)
    quarantine.require_pending(item)
    if not is_desk_letter(item):
        raise InvalidInput("This letter is not one of the service desk's.")
    try:
        async with session.begin_nested():
            outcome, request = await take_letter(session, item.raw, desk, origin=f"quarantine {item.id}")
    except Exception as exc:
        log.warning("quarantined service letter %s still fails: %r", item.id, exc)
        item.attempts += 1
        item.error_class, item.error_message = quarantine.describe_error(exc)
        audit.record(
            session,
            actor,
            quarantine.ENTITY,
            item.id,
            "mail_quarantine_retry_failed",
            reason=item.error_class,
        )
        return DeskRetry(None, error=item.error_class)
    quarantine.resolve(item, QUARANTINE_REGISTERED if request is not None else QUARANTINE_DISMISSED, actor)
    audit.record(
        session,
        actor,
        quarantine.ENTITY,
        item.id,
        "mail_quarantine_retried",
        old_state=QUARANTINE_PENDING,
        new_state=item.status,
        data={"service_request_id": request.id if request is not None else None, "outcome": outcome},
    )
    return DeskRetry(request)
