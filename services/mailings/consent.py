"""Consent to mailings, apart from the consent to personal data: double opt-in and opt-out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import MailingConsent
from services.audit import Actor


async def request(
    session: AsyncSession,
    *,
    correspondent_id: int,
    channel: str,
    actor: Actor,
    telegram_id: int | None = None,
    email: str | None = None,
    ip: str | None = None,
    locale: str | None = None,
) -> MailingConsent:
    """Ask a person to confirm mailings: a bot message with «confirm» (when ``telegram_id`` is
    given) or an e-mailed link. A confirmed consent stays confirmed; a withdrawn one is asked again.

    Contract used by ``services.forms`` (a consent field marked ``rules.mailing``, or a form of
    purpose ``subscription``).
    """
    raise NotImplementedError  # the segments/consent helper builds it
