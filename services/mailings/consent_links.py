"""The e-mailed links of the consent to mailings: ``/m/confirm/<token>`` (a pending consent, once,
within 7 days) and ``/m/optout/<token>``. Only a token's SHA-256 is stored (``token_hash``); a link
that acts turns its token off. The public pages (``admin_web/views/segments/consent_pages.py``) call
these on POST only."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, MailingConsent, utcnow
from models.enums import MailingConsentStatus
from services.audit import Actor
from services.errors import InvalidInput
from services.mail_outbox import enqueue_mail
from services.mailings.consent import TOKEN_TTL, context_of, link, set_status, status_of, token_hash
from services.notify import N_, NoticeContext, Translator

CONFIRMED_SUBJECT = N_("You are subscribed to the museum's news")
CONFIRMED_BODY = N_(
    "Thank you! The subscription is confirmed.\n\nTo unsubscribe at any time, open the link:\n%(link)s"
)
BAD_LINK = N_("The link is not valid: it was already used, has expired or was mistyped.")


async def by_token(session: AsyncSession, token: str) -> MailingConsent | None:
    if not token or len(token) > 100:
        return None
    return await session.scalar(select(MailingConsent).where(MailingConsent.token_hash == token_hash(token)))


async def confirm_by_token(
    session: AsyncSession,
    token: str,
    *,
    ip: str | None,
    notify: NoticeContext | None = None,
    locale: str | None = None,
    now: datetime | None = None,
) -> MailingConsent:
    """The e-mailed link's button: a pending consent within 7 days; then an opt-out letter."""
    now = now or utcnow()
    consent = await by_token(session, token)
    if (
        consent is None
        or consent.status != MailingConsentStatus.PENDING
        or consent.requested_at is None
        or now - consent.requested_at > TOKEN_TTL
    ):
        raise InvalidInput(BAD_LINK)
    await set_status(
        session,
        consent,
        MailingConsentStatus.CONFIRMED,
        actor=Actor(label="email-link"),
        channel="email",
        ip=ip,
        now=now,
    )
    card = await session.get(Correspondent, consent.correspondent_id)
    if card is not None and card.email:
        ctx = context_of(notify)
        opt_out = secrets.token_urlsafe(24)
        consent.token_hash = token_hash(opt_out)
        t = Translator(locale or ctx.default_locale)
        await enqueue_mail(
            session,
            appeal_id=None,
            to=card.email,
            subject=t(CONFIRMED_SUBJECT),
            body=t(CONFIRMED_BODY, link=link(ctx, "optout", opt_out)),
            in_reply_to=None,
            dedup_key=f"consent-confirmed:{consent.id}:{now.isoformat()}",
        )
    return consent


async def optout_link(
    session: AsyncSession, correspondent_id: int, *, notify: NoticeContext | None = None
) -> str | None:
    """A fresh opt-out link for a letter to a confirmed person (earlier links stop working)."""
    consent = await status_of(session, correspondent_id)
    if consent is None or consent.status != MailingConsentStatus.CONFIRMED:
        return None
    token = secrets.token_urlsafe(24)
    consent.token_hash = token_hash(token)
    return link(context_of(notify), "optout", token)


async def withdraw_by_token(session: AsyncSession, token: str, *, ip: str | None) -> MailingConsent:
    """The e-mailed opt-out link's button (a pending one is declined the same way)."""
    consent = await by_token(session, token)
    if consent is None or consent.status == MailingConsentStatus.WITHDRAWN:
        raise InvalidInput(BAD_LINK)
    await set_status(
        session,
        consent,
        MailingConsentStatus.WITHDRAWN,
        actor=Actor(label="email-link"),
        channel="email",
        ip=ip,
        now=utcnow(),
    )
    return consent
