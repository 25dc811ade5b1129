"""Sends ``MailOutbox`` rows by SMTP: claimed with a lease, retried with backoff, never twice.

A row is claimed by a conditional update (pending and due → due again only after the lease), so
two senders or a repeated job cannot both take it. Temporary trouble (4xx answers, connection
errors, timeouts) is retried with exponential backoff; a permanent refusal (5xx) marks the row
failed. The Message-ID is derived from the row, so even a resend after a crash mid-send (the only
window left) carries the same id and mail clients show it once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import encoders
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import MailOutbox, StoredFile, utcnow
from services import audit
from services.audit import Actor

log = logging.getLogger(__name__)

ACTOR = Actor.system("smtp")
PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_ATTEMPTS = 10
CLAIM_LEASE = timedelta(minutes=5)  # longer than any single SMTP conversation (timeout below)
BATCH = 50
_MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int = 587
    ssl: bool = False
    starttls: bool = True
    user: str = ""
    password: str = ""
    mail_from: str = ""
    timeout: float = 60.0

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpConfig:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            ssl=settings.smtp_ssl,
            starttls=settings.smtp_starttls and not settings.smtp_ssl,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value(),
            mail_from=settings.mail_from or settings.smtp_user or settings.imap_user,
        )


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class PermanentError(Exception):
    """The server (or the row itself) says this letter can never be delivered as it is."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most an hour between tries."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def outbox_message_id(row: MailOutbox, mail_from: str) -> str:
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<porucheno.mail.{row.id}.{int(row.created_at.timestamp())}@{domain}>"


@dataclass(frozen=True, slots=True)
class MailAttachment:
    filename: str
    mime_type: str
    data: bytes


def _attachment_part(item: MailAttachment) -> MIMEBase:
    maintype, _slash, subtype = item.mime_type.partition("/")
    part = MIMEBase(maintype or "application", subtype or "octet-stream")
    part.set_payload(item.data)
    encoders.encode_base64(part)
    # RFC 2231 parameter encoding keeps Cyrillic file names intact in every mail client we know.
    part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", item.filename))
    return part


def build_message(
    row: MailOutbox,
    mail_from: str,
    *,
    now: datetime | None = None,
    attachments: Sequence[MailAttachment] = (),
) -> Message:
    """RFC 5322 message: UTF-8 subject and names (RFC 2047), base64 body, threaded under the appeal;
    with ``attachments`` a multipart/mixed letter, the text first.

    Built with the legacy ``Header`` encoder on purpose: the modern header folder of Python 3.11
    drops the space between two folded encoded words, gluing words of a long Russian subject.
    """
    values = (row.to_address, row.in_reply_to or "", mail_from)
    if any("\r" in v or "\n" in v for v in values):
        raise PermanentError("a line break in an address header")
    text = MIMEText(row.body or "", "plain", "utf-8")
    msg: Message = text
    if attachments:
        msg = MIMEMultipart("mixed")
        msg.attach(text)
        for item in attachments:
            msg.attach(_attachment_part(item))
    name, address = parseaddr(mail_from)
    msg["From"] = formataddr((name, address), charset="utf-8") if name else address
    msg["To"] = row.to_address
    msg["Subject"] = Header(row.subject or "", "utf-8")
    msg["Date"] = format_datetime(now or utcnow())
    msg["Message-ID"] = outbox_message_id(row, mail_from)
    if row.in_reply_to and _MESSAGE_ID_RE.fullmatch(row.in_reply_to):  # not a hash of a letter without one
        msg["In-Reply-To"] = row.in_reply_to
        msg["References"] = row.in_reply_to
    if not _written_by_a_person(row):
        # Registration and status notices are automatic: vacation auto-replies must not answer them
        # (RFC 3834), or the resident's auto-reply would come back as a new appeal.
        msg["Auto-Submitted"] = "auto-generated"
    return msg


def _written_by_a_person(row: MailOutbox) -> bool:
    """The clerk's final answer (dedup key ``appeal:<id>:answered``) is a person's letter."""
    return (row.dedup_key or "").split(":")[2:3] == ["answered"]


def _classify(exc: Exception) -> bool:
    """True when the refusal is permanent (5xx, except authentication: that is ours to fix)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 500 <= exc.code < 600
    return False


async def _claim(session: AsyncSession, row_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(MailOutbox)
        .where(MailOutbox.id == row_id, MailOutbox.status == PENDING, MailOutbox.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def _deliver(config: SmtpConfig, msg: Message) -> None:
    await aiosmtplib.send(
        msg,
        sender=parseaddr(config.mail_from)[1] or None,
        hostname=config.host,
        port=config.port,
        username=config.user or None,
        password=config.password or None,
        use_tls=config.ssl,
        start_tls=config.starttls,
        timeout=config.timeout,
    )


async def load_attachments(
    session: AsyncSession, row: MailOutbox, files_dir: Path | None
) -> list[MailAttachment]:
    """The row's files, read from FILES_DIR (off the event loop); a missing one cannot ever be sent."""
    ids = [int(i) for i in (row.file_ids or [])]
    if not ids:
        return []
    if files_dir is None:
        raise PermanentError("attachments queued but no files directory configured")
    stored = {
        f.id: f for f in (await session.scalars(select(StoredFile).where(StoredFile.id.in_(ids)))).all()
    }
    result: list[MailAttachment] = []
    for file_id in ids:
        f = stored.get(file_id)
        if f is None:
            raise PermanentError(f"attachment file {file_id} no longer exists")
        path = files_dir / f.storage_path
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise PermanentError(f"attachment file {file_id} cannot be read: {exc}") from exc
        result.append(MailAttachment(f.original_name or f"file-{f.id}", f.mime_type, data))
    return result


class MailSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        config: SmtpConfig,
        *,
        files_dir: Path | None = None,
        only_prefix: str | None = None,
        skip_prefix: str | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.files_dir = files_dir  # where answer attachments are read from
        # Letters of another mailbox (the service desk's, dedup keys ``sd:``) go out with its own
        # From address, so replies land there: each sender takes only its rows.
        self.only_prefix = only_prefix
        self.skip_prefix = skip_prefix

    async def send_due(self, now: datetime | None = None, *, limit: int = BATCH) -> SendResult:
        now = now or utcnow()
        result = SendResult()
        query = select(MailOutbox.id).where(MailOutbox.status == PENDING, MailOutbox.next_attempt_at <= now)
        if self.only_prefix:
            query = query.where(MailOutbox.dedup_key.startswith(self.only_prefix, autoescape=True))
        if self.skip_prefix:
            query = query.where(~MailOutbox.dedup_key.startswith(self.skip_prefix, autoescape=True))
        async with self.session_factory() as session:
            ids = (
                await session.scalars(query.order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(limit))
            ).all()
        for row_id in ids:
            outcome = await self._send_one(row_id, now)
            if outcome:
                setattr(result, outcome, getattr(result, outcome) + 1)
        if ids:
            log.info("mail outbox: %s", result)
        return result

    async def _send_one(self, row_id: int, now: datetime) -> str | None:
        async with self.session_factory() as session:
            if not await _claim(session, row_id, now):
                await session.rollback()
                return None  # sent, failed or taken by another sender since our read
            await session.commit()
            row = await session.get(MailOutbox, row_id, populate_existing=True)
            assert row is not None
            unreadable: PermanentError | None = None
            files: list[MailAttachment] = []
            try:
                files = await load_attachments(session, row, self.files_dir)
            except PermanentError as exc:
                unreadable = exc
        try:
            if unreadable is not None:
                raise unreadable
            message = build_message(row, self.config.mail_from, now=now, attachments=files)
            await _deliver(self.config, message)
        except Exception as exc:
            permanent = isinstance(exc, PermanentError) or _classify(exc)
            return await self._failed(row, now, f"{exc.__class__.__name__}: {exc}", permanent=permanent)
        async with self.session_factory() as session:
            await session.execute(
                update(MailOutbox)
                .where(MailOutbox.id == row_id)
                .values(status=SENT, sent_at=utcnow(), attempts=MailOutbox.attempts + 1, last_error=None)
            )
            await session.commit()
        return "sent"

    async def _failed(self, row: MailOutbox, now: datetime, error: str, *, permanent: bool) -> str:
        attempts = row.attempts + 1
        give_up = permanent or attempts >= MAX_ATTEMPTS
        values: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000]}
        if give_up:
            values["status"] = FAILED
        else:
            values["next_attempt_at"] = now + backoff(attempts)
        async with self.session_factory() as session:
            await session.execute(update(MailOutbox).where(MailOutbox.id == row.id).values(**values))
            if give_up:
                audit.record(
                    session,
                    ACTOR,
                    "mail_outbox",
                    row.id,
                    "mail_failed",
                    old_state=PENDING,
                    new_state=FAILED,
                    reason=error[:2000],
                    data={"appeal_id": row.appeal_id, "to": row.to_address},
                )
            await session.commit()
        if give_up:
            log.warning("mail %s to %s failed for good: %s", row.id, row.to_address, error)
            return "failed"
        log.info("mail %s to %s: %s; retry in %s", row.id, row.to_address, error, backoff(attempts))
        return "retried"
