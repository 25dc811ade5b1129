"""Letters to the service mailbox: a new letter files a service request, a letter in a request's
thread becomes a comment on it.

The mailbox is read by ``ServiceMailPoller``, the appeal intake's poller (``services/mail/intake.py``:
the same cursor, retries and quarantine) with another way to take a letter in. A letter joins a
request when its In-Reply-To/References name the request's thread (its first letter), a comment's
letter or one of our letters about it, or when its subject carries the number («[№ 2026-0001]»);
and only when the sender is the requester or an agent of that request and the request is still
open — anyone else's letter, or one to a closed request, files a new request. The topic of a new
request: a topic whose code the subject names in brackets («[it] Printer»), else the configured
default topic, else the first active topic. Letters already taken (their Message-ID), auto-replies,
bounces and our own letters (a loop) are skipped.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import MailOutbox, ServiceComment, ServiceRequest, ServiceTopic, User
from models.enums import ServiceChannel, ServiceStatus
from services import audit
from services.audit import Actor
from services.errors import DomainError, InvalidInput
from services.files import FileOrigin, store_file
from services.mail.imap_client import ImapConfig
from services.mail.intake import MailPoller
from services.mail.parse import ParsedLetter, parse_letter
from services.mail.quarantine import SERVICE_DESK_MAILBOX
from services.mail.smtp_sender import outbox_message_id
from services.notify import N_, NoticeContext, Translator
from services.service_desk import access, mail_out, requests, resolution

log = logging.getLogger(__name__)

ACTOR = Actor.system("service-imap")
_ID_RE = re.compile(r"<[^<>\s]+>")
_OUR_ID_RE = re.compile(r"^<porucheno\.mail\.(\d{1,18})\.")
_NUMBER_RE = re.compile(r"\[\s*№\s*(\d{4}-\d{4,})\s*\]")
_TOPIC_RE = re.compile(r"\[\s*([A-Za-z0-9_.-]{1,64})\s*\]")
_RE_PREFIX = re.compile(r"^\s*((re|fw|fwd|ответ|отв|пересл)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# Where a mail client starts quoting the letter being answered: the rest is not the reply.
_QUOTE_HEAD = re.compile(
    r"^(on .+ wrote:|.+(писал|написал|пишет)(\(а\))?:|-+\s*(original message|исходное сообщение)\s*-+)$",
    re.IGNORECASE,
)
REJECTED_NOTE = N_("[Attachments not accepted: %(files)s.]")
NO_SUBJECT = N_("(no subject)")
EMPTY_LETTER = N_("(an empty letter)")
CLOSED = frozenset({ServiceStatus.CLOSED, ServiceStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class DeskMail:
    """What taking a letter in needs besides the session."""

    ctx: NoticeContext
    files_dir: Path
    default_topic: str = ""


def service_imap_config(settings: Any) -> ImapConfig:
    return DeskImapConfig(
        host=settings.service_imap_host,
        port=settings.service_imap_port,
        ssl=settings.service_imap_ssl,
        starttls=settings.service_imap_starttls and not settings.service_imap_ssl,
        user=settings.service_imap_user,
        password=settings.service_imap_password.get_secret_value(),
        mailbox=settings.service_imap_mailbox,
        mark_seen=settings.service_imap_mark_seen,
    )


def reply_text(text: str) -> str:
    """The new part of a reply: quoted lines and everything after a client's quote header dropped."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEAD.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def _thread_ids(raw: bytes) -> list[str]:
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        values = [str(v) for name in ("In-Reply-To", "References") for v in msg.get_all(name, [])]
    except Exception:  # a header broken beyond reading: the letter simply starts no thread
        return []
    return list(dict.fromkeys(_ID_RE.findall(" ".join(values))))[:50]


async def _staff(session: AsyncSession, address: str) -> User | None:
    return await session.scalar(
        select(User)
        .where(func.lower(User.email) == address.lower(), User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


async def _candidates(session: AsyncSession, ctx: NoticeContext, ids: list[str], subject: str) -> list[int]:
    """Requests the letter names, most specific first: its thread headers, then its subject."""
    found: list[int] = []
    if ids:
        found += (
            await session.scalars(select(ServiceRequest.id).where(ServiceRequest.mail_thread_id.in_(ids)))
        ).all()
        found += (
            await session.scalars(select(ServiceComment.request_id).where(ServiceComment.message_id.in_(ids)))
        ).all()
        ours = {int(m.group(1)): mid for mid in ids if (m := _OUR_ID_RE.match(mid))}
        if ours and ctx.service_mail_from:
            rows = (await session.scalars(select(MailOutbox).where(MailOutbox.id.in_(list(ours))))).all()
            for row in rows:  # the whole id must match: a number alone is easy to guess
                request_id = mail_out.request_of_key(row.dedup_key)
                if request_id is not None and outbox_message_id(row, ctx.service_mail_from) == ours[row.id]:
                    found.append(request_id)
    match = _NUMBER_RE.search(subject)
    if match:
        by_number = await session.scalar(
            select(ServiceRequest.id).where(ServiceRequest.number == match.group(1))
        )
        if by_number is not None:
            found.append(by_number)
    return list(dict.fromkeys(found))


async def _party(
    session: AsyncSession, request: ServiceRequest, address: str, staff: User | None
) -> str | None:
    """``agent``, ``requester`` or None (a stranger to this request)."""
    if staff is not None and await access.is_agent(session, staff, request):
        return "agent"
    if staff is not None and access.is_requester(staff, request):
        return "requester"
    if request.requester_email and request.requester_email.lower() == address.lower():
        return "requester"
    return None


async def _topic(session: AsyncSession, subject: str, default_code: str) -> tuple[ServiceTopic, str]:
    """The topic and the subject without its «[code]» tag."""
    active = select(ServiceTopic).where(ServiceTopic.is_active.is_(True))
    for match in _TOPIC_RE.finditer(subject):
        topic = await session.scalar(active.where(func.lower(ServiceTopic.code) == match.group(1).lower()))
        if topic is not None:
            return topic, (subject[: match.start()] + subject[match.end() :]).strip()
    if default_code:
        topic = await session.scalar(active.where(ServiceTopic.code == default_code))
        if topic is not None:
            return topic, subject
    topic = await session.scalar(active.order_by(ServiceTopic.position, ServiceTopic.id).limit(1))
    if topic is None:
        raise InvalidInput("Choose a topic from the list.")
    return topic, subject


async def _store_files(
    session: AsyncSession, desk: DeskMail, letter: ParsedLetter, t: Translator, request_id: int | None
) -> tuple[list[int], str | None]:
    ids: list[int] = []
    refused: list[str] = []
    for item in letter.files:
        try:
            async with session.begin_nested():
                stored = await store_file(
                    session,
                    desk.files_dir,
                    item.data,
                    filename=item.filename,
                    origin=FileOrigin(service_request_id=request_id),
                )
            ids.append(stored.id)
        except DomainError:
            refused.append(item.filename or "—")
    note = t(REJECTED_NOTE, files="; ".join(refused)[:1000]) if refused else None
    return ids, note


def _text(text: str, note: str | None, fallback: str) -> str:
    body = "\n\n".join(x for x in (text, note) if x) or fallback
    return body[: requests.TEXT_LIMIT]


async def _skip(
    session: AsyncSession, action: str, reason: str, letter: ParsedLetter, target: int | None, origin: str
) -> None:
    log.info("service mail %s skipped (%s) from %s", origin, reason, letter.from_address)
    audit.record(
        session,
        ACTOR,
        "mailbox_cursor",
        target,
        action,
        reason=reason,
        data={"origin": origin, "message_id": letter.message_id, "from": letter.from_address},
    )


async def take_letter(
    session: AsyncSession,
    raw: bytes,
    desk: DeskMail,
    *,
    now: datetime | None = None,
    audit_target: int | None = None,
    origin: str = "",
) -> tuple[str, ServiceRequest | None]:
    """One letter: ``("registered", request)`` (new request or comment), ``("duplicates", None)``
    for a letter already taken, ``("skipped", None)`` for auto-replies and our own letters."""
    ctx = desk.ctx
    letter = parse_letter(raw)
    if letter.auto_reason:
        await _skip(session, "mail_auto_reply_skipped", letter.auto_reason, letter, audit_target, origin)
        return "skipped", None
    address = letter.from_address
    if not address:
        raise InvalidInput("A request needs a requester.")
    if address.lower() == mail_out.own_address(ctx):
        await _skip(session, "mail_loop_skipped", "our own address", letter, audit_target, origin)
        return "skipped", None
    key = letter.external_id
    if await session.scalar(select(ServiceRequest.id).where(ServiceRequest.mail_thread_id == key).limit(1)):
        return "duplicates", None
    if await session.scalar(select(ServiceComment.id).where(ServiceComment.message_id == key).limit(1)):
        return "duplicates", None
    staff = await _staff(session, address)
    t = Translator(ctx.locale_of(staff))
    subject = letter.subject or ""
    for request_id in await _candidates(session, ctx, _thread_ids(raw), subject):
        request = await requests.load(session, request_id)
        party = await _party(session, request, address, staff)
        if party is None or request.status in CLOSED:
            continue
        file_ids, note = await _store_files(session, desk, letter, t, request.id)
        await resolution.email_reply(
            session,
            request.id,
            _text(reply_text(letter.text) or letter.text, note, t(EMPTY_LETTER)),
            sender_email=address,
            ctx=ctx,
            message_id=key,
            file_ids=file_ids,
            author=staff
            if staff is not None and (party == "agent" or access.is_requester(staff, request))
            else None,
            now=now,
        )
        return "registered", request
    topic, subject = await _topic(session, subject, desk.default_topic)
    # «Re:» and another request's number do not belong to the new request's subject.
    subject = (
        _RE_PREFIX.sub("", _NUMBER_RE.sub("", subject)).strip()
        or (letter.text.strip().splitlines() or [""])[0].strip()
    )
    file_ids, note = await _store_files(session, desk, letter, t, None)
    request = await requests.file_request(
        session,
        staff,
        requests.NewRequest(
            topic_id=topic.id,
            subject=(subject or t(NO_SUBJECT))[: requests.SUBJECT_LIMIT],
            text=_text(letter.text, note, ""),
            channel=ServiceChannel.EMAIL,
            file_ids=file_ids,
            requester_email=address,
            requester_name=letter.from_name or (staff.full_name if staff is not None else address),
            mail_thread_id=key,
        ),
        ctx=ctx,
        now=now,
    )
    return "registered", request


class DeskImapConfig(ImapConfig):
    """The service mailbox: its cursor and quarantined letters are named apart from the appeals'."""

    @property
    def cursor_key(self) -> str:
        return (SERVICE_DESK_MAILBOX + ImapConfig.cursor_key.fget(self))[:255]  # type: ignore[attr-defined]


class NotTaken(Exception):
    """Shown in the quarantine: the letter failed and there is no raw fallback for requests."""


class ServiceMailPoller(MailPoller):
    """The service mailbox: the appeal poller's cursor, retries and quarantine; letters become
    service requests. A letter that keeps failing goes to the quarantine (no raw fallback)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        config: ImapConfig,
        *,
        files_dir: Path,
        notify: NoticeContext,
        default_topic: str = "",
    ) -> None:
        if not isinstance(config, DeskImapConfig):
            config = DeskImapConfig(**{f.name: getattr(config, f.name) for f in dataclasses.fields(config)})
        super().__init__(session_factory, config, files_dir=files_dir, notify=notify)
        self.desk = DeskMail(ctx=notify, files_dir=files_dir, default_topic=default_topic)

    async def _register(self, session: AsyncSession, uid: int, raw: bytes, now: datetime | None) -> str:
        outcome, _ = await take_letter(
            session, raw, self.desk, now=now, audit_target=self._cursor_id, origin=f"uid {uid}"
        )
        return outcome

    async def _register_raw(self, session: AsyncSession, uid: int, raw: bytes, now: datetime | None) -> None:
        raise NotTaken("the letter could not be taken in as a service request")
