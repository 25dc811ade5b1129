"""Notices to the correspondent, through the channel the appeal came by.

Telegram notices go to the outbox, e-mail ones to ``MailOutbox`` (an SMTP sender delivers them, as a
reply to the original letter). Each lifecycle event happens once per appeal, so the dedup key
``appeal:<id>:<event>`` (plus the chat and part for Telegram) makes queueing idempotent. Texts are
in the correspondent's bot language when known, else the product's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Correspondent, StoredFile, TelegramAccount, User
from models.enums import AppealChannel
from services import outbox
from services.appeals import attachments
from services.files import outbox_file
from services.mail_outbox import enqueue_mail
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard

CB_PREFIX = "apl"
RATINGS = range(1, 6)

REGISTERED = "registered"
IN_WORK = "in_work"
EXTENDED = "extended"
ANSWERED = "answered"
CLOSED = "closed"
REJECTED = "rejected"

SUBJECTS = {
    REGISTERED: N_("Appeal No. %(number)s: registered"),
    IN_WORK: N_("Appeal No. %(number)s: taken into work"),
    EXTENDED: N_("Appeal No. %(number)s: answer deadline extended"),
    ANSWERED: N_("Appeal No. %(number)s: answer"),
    CLOSED: N_("Appeal No. %(number)s: closed"),
    REJECTED: N_("Appeal No. %(number)s: rejected"),
}
HEADLINES = {
    REGISTERED: N_("✅ Your appeal is registered under No. %(number)s."),
    IN_WORK: N_("🛠 Your appeal No. %(number)s has been taken into work."),
    EXTENDED: N_("⏳ The answer deadline for your appeal No. %(number)s has been extended."),
    ANSWERED: N_("📨 Answer to your appeal No. %(number)s"),
    CLOSED: N_("Your appeal No. %(number)s is closed."),
    REJECTED: N_("⛔ Your appeal No. %(number)s has been rejected."),
}

# --- 59-FZ art. 8: received (waiting for registration) and redirected by competence -------------
RECEIVED = "received"
REDIRECTED = "redirected"
SUBJECTS[RECEIVED] = N_("Appeal No. %(number)s: received")
HEADLINES[RECEIVED] = N_("📥 Your appeal has been received under No. %(number)s.")
SUBJECTS[REDIRECTED] = N_("Appeal No. %(number)s: sent by competence")
HEADLINES[REDIRECTED] = N_("↪️ Your appeal No. %(number)s has been sent to the competent body.")


def _art8_lines(
    appeal: Appeal, event: str, t: Translator, ctx: NoticeContext, reason: str | None, access_code: str | None
) -> list[str] | None:
    """The body of the art. 8 notices; None for other events. ``reason``: for a redirection, the
    notice text as the clerk wrote it (the same text as its letter, attached as PDF)."""
    if event == RECEIVED:
        lines = []
        if appeal.registration_due_at is not None:
            day = ctx.local(appeal.registration_due_at).strftime("%d.%m.%Y")
            lines.append(t("It will be registered by %(date)s; we will tell you then.", date=day))
        lines.append(t("Please quote this number when you contact us about the appeal."))
        if access_code:
            lines.append(access_code_line(t, access_code))
        return lines
    if event == REDIRECTED:
        return [reason] if reason else []
    return None


# --- end of the art. 8 block ---


# --- 59-FZ art. 11 outcomes (services/appeals/outcomes*.py): the letter's PDF follows the notice ---
ABUSIVE = "abusive"
UNREADABLE = "unreadable"
CORRESPONDENCE_STOPPED = "correspondence_stopped"
SUBJECTS |= {
    ABUSIVE: N_("Appeal No. %(number)s: left without an answer on the merits"),
    UNREADABLE: N_("Appeal No. %(number)s: the text cannot be read"),
    CORRESPONDENCE_STOPPED: N_("Appeal No. %(number)s: correspondence stopped"),
}
HEADLINES |= {
    ABUSIVE: N_("⛔ Your appeal No. %(number)s is left without an answer on the merits."),
    UNREADABLE: N_("⛔ The text of your appeal No. %(number)s cannot be read."),
    CORRESPONDENCE_STOPPED: N_("⛔ Correspondence on the question of your appeal No. %(number)s is stopped."),
}
OUTCOME_BODIES = {
    ABUSIVE: N_(
        "It contains obscene or offensive expressions or threats (59-FZ, art. 11 p. 3). "
        "Abuse of the right to appeal is not acceptable. The letter is attached."
    ),
    UNREADABLE: N_(
        "No answer is given and it is not forwarded (59-FZ, art. 11 p. 4). "
        "You may send it again with a text that can be read. The letter is attached."
    ),
    CORRESPONDENCE_STOPPED: N_(
        "You have repeatedly been given answers on the merits to this question and the appeal brings "
        "no new arguments (59-FZ, art. 11 p. 5). The decision letter is attached."
    ),
}
# --- end of the art. 11 outcomes ---


def rate_cb(appeal_id: int, rating: int) -> str:
    return f"{CB_PREFIX}:rate:{appeal_id}:{rating}"


def open_cb(appeal_id: int) -> str:
    return f"{CB_PREFIX}:open:{appeal_id}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where the correspondent reads notices about one appeal; nothing set: no notice is sent."""

    locale: str
    chat_id: int | None = None
    email: str | None = None
    in_reply_to: str | None = None


async def delivery_of(session: AsyncSession, ctx: NoticeContext, appeal: Appeal) -> Delivery:
    """The appeal's own channel: the Telegram chat it was written from (records merged by a clerk
    may hold several accounts; each appeal still answers to its own), the letter's address."""
    correspondent = (
        await session.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    )
    # Appeals from before the sender was stored on the appeal fall back to the record's account.
    telegram_id = appeal.telegram_id or (correspondent.telegram_id if correspondent is not None else None)
    account = await session.get(TelegramAccount, telegram_id) if telegram_id is not None else None
    locale = await _locale(session, account) or ctx.default_locale
    if appeal.channel == AppealChannel.TELEGRAM and telegram_id:
        if account is not None and account.blocked_at is not None:
            return Delivery(locale)
        chat_id = account.chat_id if account is not None else telegram_id
        return Delivery(locale, chat_id=chat_id)
    if appeal.channel == AppealChannel.EMAIL:
        address = appeal.reply_to or (correspondent.email if correspondent else None)
        if address:
            return Delivery(locale, email=address, in_reply_to=appeal.external_id)
    web_address = appeal.reply_to or appeal.contact_email
    if appeal.channel in (AppealChannel.WEB, AppealChannel.OPEN311) and web_address:
        # 59-FZ art. 10(4): an appeal received electronically is answered at the e-mail address it
        # gives. The address is the applicant's own words for this appeal, not a proven identity:
        # it is used for this appeal's notices only and never links the appeal to anyone's record.
        return Delivery(locale, email=web_address)
    # Without an address web and Open311 applicants read the status page themselves; paper and
    # phone answers go by hand.
    return Delivery(locale)


@dataclass(frozen=True, slots=True)
class AnswerRoute:
    """How the final answer reaches the applicant. Telegram or e-mail deliver it by themselves;
    otherwise (``by_hand``) it goes by post to the postal address, or the applicant is called, and
    web / Open311 applicants can also read it on the status page with their number and code."""

    chat_id: int | None = None
    email: str | None = None
    postal_address: str | None = None
    phone: str | None = None
    status_page: bool = False

    @property
    def by_hand(self) -> bool:
        return self.chat_id is None and self.email is None


async def answer_route(session: AsyncSession, ctx: NoticeContext, appeal: Appeal) -> AnswerRoute:
    to = await delivery_of(session, ctx, appeal)
    correspondent = (
        await session.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    )
    return AnswerRoute(
        chat_id=to.chat_id,
        email=to.email,
        postal_address=(correspondent.postal_address if correspondent else None) or None,
        phone=appeal.contact_phone or (correspondent.phone if correspondent else None) or None,
        # Only these applicants were shown their access code; a clerk's paper registration was not.
        status_page=appeal.access_code_hash is not None
        and appeal.channel in (AppealChannel.WEB, AppealChannel.OPEN311),
    )


def route_lines(route: AnswerRoute, t: Translator) -> list[str]:
    """What an applicant with neither e-mail nor Telegram is told about getting the answer."""
    if not route.by_hand:
        return []
    lines: list[str] = []
    if route.postal_address:
        lines.append(t("The answer will be sent by post to %(address)s.", address=route.postal_address))
    if route.status_page:
        lines.append(
            t("You can read the answer on the status page with your registration number and access code.")
        )
    if route.phone and not route.postal_address:
        lines.append(t("We will call you at %(phone)s when the answer is ready.", phone=route.phone))
    return lines


async def _locale(session: AsyncSession, account: TelegramAccount | None) -> str | None:
    if account is None:
        return None
    if account.locale:
        return account.locale
    if account.user_id is not None:
        return await session.scalar(select(User.locale).where(User.id == account.user_id))
    return None


def local_date(ctx: NoticeContext, appeal: Appeal) -> str:
    return ctx.local(appeal.due_at).strftime("%d.%m.%Y")


def body_lines(
    appeal: Appeal,
    event: str,
    t: Translator,
    ctx: NoticeContext,
    reason: str | None,
    access_code: str | None = None,
) -> list[str]:
    """The notice without its headline, as plain text lines."""
    own = _art8_lines(appeal, event, t, ctx, reason, access_code)
    if own is not None:
        return own
    lines: list[str] = []
    if event in (REGISTERED, EXTENDED):
        lines.append(t("The answer is due by %(date)s.", date=local_date(ctx, appeal)))
    if event in (EXTENDED, REJECTED) and reason:
        lines.append(t("Reason: %(reason)s", reason=reason))
    if event in OUTCOME_BODIES:
        lines.append(t(OUTCOME_BODIES[event]))
    if event == REGISTERED:
        lines.append(t("Please quote this number when you contact us about the appeal."))
        if access_code:
            lines.append(access_code_line(t, access_code))
    return lines


def access_code_line(t: Translator, code: str) -> str:
    return t(
        "Access code for checking the status on the website: %(code)s. Keep it: it is not shown again.",
        code=code,
    )


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts whose HTML-escaped length fits ``limit``, preferring paragraph,
    line and word boundaries."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if len(html_escape(rest)) <= limit:
            parts.append(rest)
            break
        cut = limit
        while len(html_escape(rest[:cut])) > limit:
            cut -= max(1, (len(html_escape(rest[:cut])) - limit) // 5)
        window = rest[:cut]
        for sep in ("\n\n", "\n", " "):
            pos = window.rfind(sep)
            if pos > cut // 2:
                cut = pos
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts or [""]


def answer_messages(appeal: Appeal, t: Translator) -> list[str]:
    """The final answer as Telegram messages of at most 4096 characters (the header on the first)."""
    header = f"<b>{html_escape(t(HEADLINES[ANSWERED], number=appeal.reg_number))}</b>\n\n"
    footer = "\n\n" + t("Please rate the answer from 1 to 5:")
    chunks = split_text(appeal.answer_text or "", outbox.TEXT_LIMIT - len(header) - len(footer) - 16)
    messages = [html_escape(chunk) for chunk in chunks]
    messages[0] = header + messages[0]
    messages[-1] += footer
    return messages


def _document(f: StoredFile) -> Any:
    """By the messenger's file id when it fits the chat, else uploaded from FILES_DIR."""
    return outbox_file(f)


def rating_keyboard(appeal_id: int) -> dict[str, Any]:
    return inline_keyboard([[(f"{n}⭐", rate_cb(appeal_id, n)) for n in RATINGS]])


def telegram_text(
    appeal: Appeal, event: str, t: Translator, ctx: NoticeContext, reason: str | None, access_code: str | None
) -> str:
    headline = t(HEADLINES[event], number=appeal.reg_number)
    lines = [f"<b>{html_escape(headline)}</b>"]
    lines += [html_escape(line) for line in body_lines(appeal, event, t, ctx, reason, access_code)]
    return "\n".join(lines)


def mail_body(
    appeal: Appeal,
    event: str,
    t: Translator,
    ctx: NoticeContext,
    reason: str | None,
    access_code: str | None = None,
) -> str:
    lines = [t(HEADLINES[event], number=appeal.reg_number), ""]
    if event == ANSWERED:
        lines += [appeal.answer_text or "", ""]
    else:
        lines += [*body_lines(appeal, event, t, ctx, reason, access_code), ""]
    lines.append(t("This message was sent automatically in reply to your appeal."))
    return "\n".join(lines)


async def notify_correspondent(
    session: AsyncSession,
    ctx: NoticeContext,
    appeal: Appeal,
    event: str,
    *,
    reason: str | None = None,
    access_code: str | None = None,
    documents: Sequence[StoredFile] = (),
) -> int:
    """Queue the notice of ``event`` to the appeal's correspondent; returns how many rows were new.

    ``documents`` (a letter's PDF, say) follow the notice: as Telegram documents after its text
    (before the answer's own files), as the e-mail's first attachments."""
    to = await delivery_of(session, ctx, appeal)
    t = Translator(to.locale)
    key = f"appeal:{appeal.id}:{event}"
    if to.chat_id is not None:
        docs = [
            outbox.OutgoingMessage(
                to.chat_id,
                {"chat_id": to.chat_id, "document": _document(f)},
                "sendDocument",
                f"{key}:{to.chat_id}:d{f.id}",
            )
            for f in documents
        ]
        if event == ANSWERED:
            texts = answer_messages(appeal, t)
            last = len(texts) - 1
            messages = [
                outbox.text_message(
                    to.chat_id,
                    text,
                    reply_markup=rating_keyboard(appeal.id) if i == last else None,
                    dedup_key=f"{key}:{to.chat_id}:{i}",
                )
                for i, text in enumerate(texts)
            ]
            # The letter (``documents``), then the answer's files follow its text as documents
            # (queued after it, so sent after it).
            messages += docs
            messages += [
                outbox.OutgoingMessage(
                    to.chat_id,
                    {"chat_id": to.chat_id, "document": _document(f)},
                    "sendDocument",
                    f"{key}:{to.chat_id}:f{f.id}",
                )
                for f in await attachments.answer_files(session, appeal.id)
            ]
        else:
            markup = inline_keyboard([[(t("Open the appeal"), open_cb(appeal.id))]])
            messages = [
                outbox.text_message(
                    to.chat_id,
                    telegram_text(appeal, event, t, ctx, reason, access_code),
                    reply_markup=markup,
                    dedup_key=f"{key}:{to.chat_id}",
                )
            ]
            messages += docs
        # Parts of one answer must arrive in order: the sender takes equal priorities by time, id.
        return await outbox.enqueue_many(session, messages, priority=50)
    if to.email is not None:
        files = [  # the letter first: it is the answer, the rest are its enclosures
            *documents,
            *(await attachments.answer_files(session, appeal.id) if event == ANSWERED else []),
        ]
        added = await enqueue_mail(
            session,
            appeal_id=appeal.id,
            to=to.email,
            subject=t(SUBJECTS[event], number=appeal.reg_number),
            body=mail_body(appeal, event, t, ctx, reason, access_code),
            in_reply_to=to.in_reply_to,
            dedup_key=key,
            file_ids=[f.id for f in files],
        )
        return int(added)
    return 0
