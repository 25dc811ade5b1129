"""Consent to mailings, apart from the consent to personal data: double opt-in and opt-out.

- :func:`request` makes the consent ``pending`` and sends a confirmation: a bot message with
  «✅ I confirm» / «No, thanks» buttons (``mc:yes:<id>`` / ``mc:no:<id>``, handled in
  ``handlers/mailings/consent.py``) when a Telegram account is known, else a letter with a link to
  ``/m/confirm/<token>``. Only the token's SHA-256 is stored; it works once, for 7 days.
- A confirmed consent stays confirmed (no new message); a withdrawn one is asked again only when a
  person asks anew (a form's box ticked again, ``/subscribe``, a clerk's button).
- :func:`confirm` and :func:`withdraw` come from the bot and the panel; the e-mailed links are
  ``consent_links`` (confirming by e-mail sends a letter with an opt-out link ``/m/optout/<token>``).

Every change is audited as ``mailing_consent`` with the channel and the IP address.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Correspondent, MailingConsent, TelegramAccount, utcnow
from models.enums import MailingConsentStatus
from services import audit, outbox
from services.audit import Actor
from services.correspondents.normalize import normalize_email
from services.errors import InvalidInput, NotFound
from services.mail_outbox import enqueue_mail
from services.notify import N_, NoticeContext, Translator, inline_keyboard

ENTITY = "mailing_consent"
CB_PREFIX = "mc"
YES, NO = "yes", "no"
TOKEN_TTL = timedelta(days=7)
# A second request this soon (a double submit, a retried step) sends nothing new.
RESEND_AFTER = timedelta(minutes=10)
CHANNELS = ("telegram", "web", "email", "panel", "form")

CONFIRM_BUTTON = N_("✅ I confirm")
DECLINE_BUTTON = N_("No, thanks")
ASK_TEXT = N_(
    "Would you like to receive the museum's news and invitations here? Press «✅ I confirm». "
    "You can unsubscribe at any time with /unsubscribe."
)
MAIL_SUBJECT = N_("Please confirm the subscription to the museum's news")
MAIL_BODY = N_(
    "Hello!\n\nSomeone (we hope it was you) asked to receive the museum's news and invitations at "
    "this address. To confirm, open the link and press the button:\n%(link)s\n\n"
    "The link works for %(days)s days. If it was not you, just ignore this letter."
)


@dataclass(frozen=True, slots=True)
class Change:
    """The outcome of an action: the consent and whether anything changed."""

    consent: MailingConsent
    changed: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def callback(action: str, consent_id: int) -> str:
    """The bot's ``ConsentCallback`` packs to the same string."""
    return f"{CB_PREFIX}:{action}:{consent_id}"


def context_of(notify: NoticeContext | None) -> NoticeContext:
    if notify is not None:
        return notify
    try:  # callers without one (a form's intake) get the configured panel address
        from porucheno.settings import load_settings

        return NoticeContext.from_settings(load_settings())
    except Exception:  # no settings: a relative link is still better than none
        return NoticeContext()


def link(notify: NoticeContext, kind: str, token: str) -> str:
    path = f"/m/{kind}/{token}"
    return notify.panel_link(path) or path


async def status_of(session: AsyncSession, correspondent_id: int) -> MailingConsent | None:
    return await session.scalar(
        select(MailingConsent).where(MailingConsent.correspondent_id == correspondent_id)
    )


async def has_confirmed(session: AsyncSession, correspondent_id: int) -> bool:
    consent = await status_of(session, correspondent_id)
    return consent is not None and consent.status == MailingConsentStatus.CONFIRMED


def _audit(
    session: AsyncSession,
    actor: Actor,
    consent: MailingConsent,
    action: str,
    old: str | None,
    *,
    channel: str,
    ip: str | None,
    reason: str | None = None,
) -> None:
    audit.record(
        session,
        actor,
        ENTITY,
        consent.id,
        action,
        old_state=old,
        new_state=consent.status,
        reason=reason,
        data={"correspondent_id": consent.correspondent_id, "channel": channel, "ip": ip},
    )


async def _chat_of(
    session: AsyncSession, correspondent_id: int, telegram_id: int | None
) -> TelegramAccount | None:
    """The account to ask in: the one given (if it belongs to the card), else the card's own."""
    card = await session.get(Correspondent, correspondent_id)
    if card is None:
        return None
    query = select(TelegramAccount).where(
        or_(TelegramAccount.correspondent_id == card.id, TelegramAccount.id == card.telegram_id),
        TelegramAccount.blocked_at.is_(None),
    )
    accounts = list((await session.scalars(query.order_by(TelegramAccount.last_seen_at.desc()))).all())
    if telegram_id is not None:
        given = [a for a in accounts if a.id == telegram_id]
        if given:
            return given[0]
        # A form answered from a chat not (yet) linked to the card: that chat is the proof.
        account = await session.get(TelegramAccount, telegram_id)
        if account is not None and account.blocked_at is None and account.correspondent_id in (None, card.id):
            return account
    return accounts[0] if accounts else None


async def _reach(
    session: AsyncSession, card: Correspondent, telegram_id: int | None, email: str | None
) -> tuple[TelegramAccount | None, str | None]:
    """Where the confirmation can go: the person's chat, else an e-mail address (a typo on a form
    is as if none was given)."""
    account = await _chat_of(session, card.id, telegram_id)
    return account, normalize_email(email) or normalize_email(card.email)


async def reachable(
    session: AsyncSession, correspondent_id: int, *, telegram_id: int | None, email: str | None
) -> bool:
    """Whether ``request`` has somewhere to send the confirmation."""
    card = await session.get(Correspondent, correspondent_id)
    if card is None:
        return False
    account, address = await _reach(session, card, telegram_id, email)
    return account is not None or address is not None


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
    notify: NoticeContext | None = None,
    now: datetime | None = None,
) -> MailingConsent:
    """Ask a person to confirm mailings: a bot message with «confirm» (when ``telegram_id`` is
    given) or an e-mailed link. A confirmed consent stays confirmed; a withdrawn one is asked again.

    Contract used by ``services.forms`` (a consent field marked ``rules.mailing``, or a form of
    purpose ``subscription``).
    """
    now = now or utcnow()
    card = await session.get(Correspondent, correspondent_id)
    if card is None or card.merged_into_id is not None:
        raise NotFound(N_("No such correspondent."))
    consent = await status_of(session, correspondent_id)
    if consent is not None and consent.status == MailingConsentStatus.CONFIRMED:
        return consent
    if (
        consent is not None
        and consent.status == MailingConsentStatus.PENDING
        and consent.requested_at is not None
        and now - consent.requested_at < RESEND_AFTER
    ):
        return consent
    account, address = await _reach(session, card, telegram_id, email)
    if account is None and address is None:
        raise InvalidInput(N_("There is no Telegram chat or e-mail address to ask for the confirmation."))
    old = consent.status if consent is not None else None
    if consent is None:
        consent = MailingConsent(correspondent_id=correspondent_id, channel=channel)
        session.add(consent)
    token = secrets.token_urlsafe(24)
    consent.status = MailingConsentStatus.PENDING
    consent.channel = channel
    consent.requested_at = now
    consent.confirmed_at = None
    consent.ip = ip
    consent.token_hash = token_hash(token)
    await session.flush()
    ctx = context_of(notify)
    if account is not None:
        t = Translator(locale or account.locale or ctx.default_locale)
        buttons = [
            [(t(CONFIRM_BUTTON), callback(YES, consent.id)), (t(DECLINE_BUTTON), callback(NO, consent.id))]
        ]
        await outbox.enqueue(
            session,
            outbox.text_message(
                account.chat_id,
                t(ASK_TEXT),
                reply_markup=inline_keyboard(buttons),
                dedup_key=f"consent:{consent.id}:{now.isoformat()}:{account.chat_id}",
            ),
        )
        sent_by = "telegram"
    else:
        assert address is not None
        t = Translator(locale or ctx.default_locale)
        await enqueue_mail(
            session,
            appeal_id=None,
            to=address,
            subject=t(MAIL_SUBJECT),
            body=t(MAIL_BODY, link=link(ctx, "confirm", token), days=TOKEN_TTL.days),
            in_reply_to=None,
            dedup_key=f"consent:{consent.id}:{now.isoformat()}",
        )
        sent_by = "email"
    _audit(session, actor, consent, "requested", old, channel=channel, ip=ip, reason=sent_by)
    return consent


async def set_status(
    session: AsyncSession,
    consent: MailingConsent,
    status: MailingConsentStatus,
    *,
    actor: Actor,
    channel: str,
    ip: str | None,
    now: datetime,
    reason: str | None = None,
) -> Change:
    if consent.status == status:
        return Change(consent, False)
    old = consent.status
    consent.status = status
    consent.ip = ip or consent.ip
    if status == MailingConsentStatus.CONFIRMED:
        consent.confirmed_at = now
        consent.withdrawn_at = None
    else:
        consent.withdrawn_at = now
    consent.token_hash = None  # a confirmation link works once
    _audit(
        session,
        actor,
        consent,
        "confirmed" if status == MailingConsentStatus.CONFIRMED else "withdrawn",
        old,
        channel=channel,
        ip=ip,
        reason=reason,
    )
    return Change(consent, True)


async def confirm(
    session: AsyncSession,
    consent_id: int,
    *,
    actor: Actor,
    channel: str,
    ip: str | None = None,
    now: datetime | None = None,
) -> Change:
    """Confirm a pending consent (the bot's button, the panel). A withdrawn one needs a new request."""
    consent = await session.get(MailingConsent, consent_id)
    if consent is None:
        raise NotFound(N_("No such consent."))
    if consent.status == MailingConsentStatus.WITHDRAWN:
        raise InvalidInput(N_("The subscription was cancelled; ask for it again to subscribe."))
    return await set_status(
        session,
        consent,
        MailingConsentStatus.CONFIRMED,
        actor=actor,
        channel=channel,
        ip=ip,
        now=now or utcnow(),
    )


async def withdraw(
    session: AsyncSession,
    correspondent_id: int,
    *,
    actor: Actor,
    channel: str,
    ip: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Change | None:
    """Opt out (or decline a pending request). None when the person was never asked."""
    consent = await status_of(session, correspondent_id)
    if consent is None:
        return None
    return await set_status(
        session,
        consent,
        MailingConsentStatus.WITHDRAWN,
        actor=actor,
        channel=channel,
        ip=ip,
        now=now or utcnow(),
        reason=reason,
    )


async def history(session: AsyncSession, consent: MailingConsent) -> list[AuditEvent]:
    """The consent's changes, newest first (the CRM card shows them)."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == ENTITY, AuditEvent.entity_id == consent.id)
        .order_by(AuditEvent.id.desc())
        .limit(50)
    )
    return list((await session.scalars(query)).all())


async def card_of_account(session: AsyncSession, telegram_id: int) -> int | None:
    """The CRM card a Telegram account belongs to (a merged card's survivor), or None."""
    account = await session.get(TelegramAccount, telegram_id)
    card_id = account.correspondent_id if account is not None else None
    if card_id is None:
        card_id = await session.scalar(
            select(Correspondent.id)
            .where(Correspondent.telegram_id == telegram_id)
            .order_by(Correspondent.merged_into_id.is_not(None), Correspondent.id)
            .limit(1)
        )
    seen: set[int] = set()
    while card_id is not None and card_id not in seen:  # follow merges to the surviving card
        seen.add(card_id)
        card = await session.get(Correspondent, card_id)
        if card is None or card.merged_into_id is None:
            return card_id if card is not None else None
        card_id = card.merged_into_id
    return card_id


async def answer_from_chat(
    session: AsyncSession, consent_id: int, *, telegram_id: int, accept: bool
) -> Change:
    """The bot's «✅ I confirm» / «No, thanks» under the request: only the person asked may answer
    (the press is reloaded and its account checked, callback data is never trusted)."""
    consent = await session.get(MailingConsent, consent_id)
    if consent is None or await card_of_account(session, telegram_id) != consent.correspondent_id:
        raise NotFound(N_("This request is no longer valid."))
    actor = Actor(telegram_id=telegram_id)
    if accept:
        if consent.status == MailingConsentStatus.WITHDRAWN:
            raise InvalidInput(N_("The subscription was cancelled; send /subscribe to subscribe again."))
        return await set_status(
            session,
            consent,
            MailingConsentStatus.CONFIRMED,
            actor=actor,
            channel="telegram",
            ip=None,
            now=utcnow(),
        )
    return await set_status(
        session,
        consent,
        MailingConsentStatus.WITHDRAWN,
        actor=actor,
        channel="telegram",
        ip=None,
        now=utcnow(),
    )
