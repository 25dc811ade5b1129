"""«Отписаться» under a mailing: the consent to mailings withdrawn, the press recorded on the recipient.

The consent itself is withdrawn by the consent module (``services.mailings.consent.withdraw``), the
one place that changes it; this adds the mailing's side: the press is checked against the recipients.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Mailing, MailingConsent, MailingRecipient, utcnow
from models.enums import MailingConsentStatus
from services.audit import Actor, record
from services.errors import NotFound, PermissionDenied
from services.mailings import consent as consent_service


@dataclass(frozen=True, slots=True)
class OptOut:
    already: bool  # pressed before: nothing changed


async def opt_out(session: AsyncSession, actor: Actor, *, mailing_id: int, chat_id: int) -> OptOut:
    """Withdraw the consent of whoever received ``mailing_id`` in ``chat_id``. The press is not
    trusted: a chat the mailing was not sent to is refused."""
    if await session.get(Mailing, mailing_id) is None:
        raise NotFound("This mailing no longer exists.")
    recipient = await session.scalar(
        select(MailingRecipient).where(
            MailingRecipient.mailing_id == mailing_id, MailingRecipient.chat_id == chat_id
        )
    )
    if recipient is None:
        raise PermissionDenied("This mailing was not sent to you.")
    consent = None
    if recipient.correspondent_id is not None:
        consent = await session.scalar(
            select(MailingConsent).where(MailingConsent.correspondent_id == recipient.correspondent_id)
        )
    withdrawn = consent is None or consent.status == MailingConsentStatus.WITHDRAWN
    if recipient.opted_out_at is not None and withdrawn:
        return OptOut(already=True)
    now = utcnow()
    if recipient.opted_out_at is None:
        recipient.opted_out_at = now
    if consent is not None and not withdrawn and recipient.correspondent_id is not None:
        await consent_service.withdraw(
            session,
            recipient.correspondent_id,
            actor=actor,
            channel="telegram",
            reason=f"mailing:{mailing_id}",
            now=now,
        )
    record(session, actor, "mailing", mailing_id, "opt_out", data={"recipient_id": recipient.id})
    await session.flush()
    return OptOut(already=False)
