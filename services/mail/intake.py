"""IMAP intake: every new letter in the mailbox becomes exactly one appeal.

Exactly-once rests on two things, never on IMAP flags: the appeal's ``(channel, external_id)``
key (the Message-ID, or a hash of the raw bytes) and the mailbox cursor (UIDVALIDITY + last UID),
advanced in the same transaction that registers the letter. If the process dies between letters,
the next poll starts after the last committed one; if the cursor is lost or UIDVALIDITY changes,
letters are read again and the Message-ID makes the repeats no-ops.

A letter that fails is retried on the next polls (the cursor stays before it while later letters
are still registered); after ``MAX_LETTER_FAILURES`` it is registered as a raw ``.eml`` file, so
nothing is lost. A letter that cannot even be registered that way goes to the quarantine
(``services/mail/quarantine.py``: the raw bytes, the error, the mailbox position) and the cursor
moves past it, so one poisoned letter never stops the mailbox; a clerk retries or dismisses it in
the panel. Auto-replies and bounces are skipped with an audit line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, MailboxCursor, utcnow
from models.enums import AppealChannel
from porucheno.i18n import DEFAULT_LOCALE
from services import audit
from services.appeals.intake import (
    MAX_TEXT_CHARS,
    AppealInput,
    ContactInput,
    IncomingFile,
    register_appeal,
)
from services.audit import Actor
from services.errors import DomainError
from services.mail.imap_client import ImapConfig, ImapMailbox
from services.mail.parse import (
    MAX_PART_BYTES,
    MAX_PARTS_BYTES,
    LetterFile,
    ParsedLetter,
    letter_as_file,
    parse_letter,
    raw_letter_id,
)
from services.mail.quarantine import quarantine_letter
from services.notify import N_, NoticeContext, Translator

log = logging.getLogger(__name__)

ACTOR = Actor.system("imap")
FETCH_BATCH = 10  # letters per FETCH: small, so one huge mailbox never loads at once
MAX_LETTER_FAILURES = 3
# A letter the server says is larger than this is not downloaded at all: only its header block is kept
# in the quarantine, so one huge letter can neither exhaust memory nor stop the cursor. Base64 makes
# parts a third larger than the decoded cap, and headers and text need some room besides.
MAX_LETTER_BYTES = MAX_PARTS_BYTES * 4 // 3 + 1024 * 1024


class LetterTooLarge(Exception):
    """Shown in the quarantine as the reason a letter was not taken in."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the letter has {size} bytes; letters over {limit} bytes are not downloaded")


@dataclass
class PollResult:
    registered: int = 0
    duplicates: int = 0
    skipped: int = 0
    kept_raw: int = 0
    quarantined: int = 0
    failed: int = 0


# Notes for the clerk, added to the appeal's text in the default language.
DAMAGED_NOTE = N_("[Part of the letter could not be decoded; the original is attached unchanged.]")
TRUNCATED_NOTE = N_(
    "[The letter is longer than %(limit)s characters; the full text is attached as letter.txt.]"
)
EMPTY_NOTE = N_("[The letter has no text; it is attached whole as letter.eml.]")
REJECTED_NOTE = N_("[Attachments not accepted: %(files)s.]")
UNREADABLE_NOTE = N_("[The letter could not be processed; it is attached whole as letter.eml.]")
DROPPED_NOTE = N_("[Parts of the letter over the size limit were not kept: %(parts)s.]")
TOO_LARGE_NOTE = N_("[The letter is too large to attach whole (%(size)s KB).]")


def appeal_input(letter: ParsedLetter, raw: bytes, t: Translator) -> AppealInput:
    files = [_incoming(f) for f in letter.files]
    text = letter.text
    notes = [t(DAMAGED_NOTE)] if letter.damaged else []
    if letter.dropped:
        notes.append(t(DROPPED_NOTE, parts="; ".join(letter.dropped)[:1000]))
    if len(text) > MAX_TEXT_CHARS - 500:
        # The appeal keeps what the law allows (room left for the notes); the whole text is attached.
        files.append(
            IncomingFile(data=text.encode("utf-8"), filename="letter.txt", declared_mime="text/plain")
        )
        notes.append(t(TRUNCATED_NOTE, limit=MAX_TEXT_CHARS - 500))
        text = text[: MAX_TEXT_CHARS - 501].rstrip() + "…"
    if not text and not files:
        if letter.subject:
            text = letter.subject  # a letter with only a subject is still an appeal
        elif len(raw) <= MAX_PART_BYTES:
            files.append(_incoming(letter_as_file(raw)))
            notes.append(t(EMPTY_NOTE))
        else:
            notes.append(t(TOO_LARGE_NOTE, size=len(raw) // 1024))
    return AppealInput(
        channel=AppealChannel.EMAIL,
        text="\n\n".join(x for x in (text, *notes) if x),
        contact=_contact(letter),
        subject=letter.subject,
        files=files,
        external_id=letter.external_id,
        reply_to=letter.reply_to,
    )


def _incoming(f: LetterFile) -> IncomingFile:
    return IncomingFile(data=f.data, filename=f.filename, declared_mime=f.declared_mime, raw=f.raw)


def _contact(letter: ParsedLetter | None) -> ContactInput:
    if letter is None or not letter.from_address:
        return ContactInput(name=(letter.from_name if letter else None))
    return ContactInput(name=letter.from_name or letter.from_address, email=letter.from_address)


async def register_letter(
    session: AsyncSession,
    raw: bytes,
    *,
    t: Translator,
    files_dir: Path,
    notify: NoticeContext | None,
    now: datetime | None = None,
    actor: Actor = ACTOR,
    audit_target: int | None = None,
    origin: str = "",
) -> tuple[str, Appeal | None]:
    """One letter to an appeal: ``("registered" | "duplicates", appeal)`` or ``("skipped", None)``
    for an auto-reply. Used by the poller and by a clerk's retry of a quarantined letter."""
    letter = parse_letter(raw)
    if letter.auto_reason:
        log.info(
            "mail %s skipped: auto-reply or bounce (%s) from %s",
            origin,
            letter.auto_reason,
            letter.from_address,
        )
        audit.record(
            session,
            actor,
            "mailbox_cursor",
            audit_target,
            "mail_auto_reply_skipped",
            reason=letter.auto_reason,
            data={"origin": origin, "message_id": letter.message_id, "from": letter.from_address},
        )
        return "skipped", None
    data = appeal_input(letter, raw, t)
    result = await register_appeal(session, data, actor=actor, files_dir=files_dir, notify=notify, now=now)
    if result.created and result.rejected_files:
        # The clerk sees in the appeal itself what the applicant sent but the system refused.
        listing = "; ".join(f"{f.filename or '—'} ({t(f.reason)})" for f in result.rejected_files)
        note = t(REJECTED_NOTE, files=listing[:1000])
        result.appeal.text = "\n\n".join(x for x in (result.appeal.text, note) if x)
        await session.flush()
        log.info(
            "mail %s -> appeal %s: files not accepted: %s",
            origin,
            result.appeal.reg_number,
            "; ".join(f"{f.filename}: {f.reason}" for f in result.rejected_files),
        )
    return ("registered" if result.created else "duplicates"), result.appeal


class MailPoller:
    """One mailbox. Kept by the scheduler between runs (it remembers failing letters)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        config: ImapConfig,
        *,
        files_dir: Path,
        notify: NoticeContext | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.files_dir = files_dir
        self.notify = notify
        self.failures: dict[tuple[int, int], int] = {}
        self._t = Translator(notify.default_locale if notify else DEFAULT_LOCALE)
        self._cursor_id: int | None = None
        self.max_letter_bytes = MAX_LETTER_BYTES

    async def poll(self, now: datetime | None = None) -> PollResult:
        """Read everything new once. Raises ``ImapError`` when the server cannot be used."""
        result = PollResult()
        async with ImapMailbox(self.config) as box:
            last_uid = await self._cursor(box.uidvalidity, now or utcnow())
            uids = await box.uids_after(last_uid)
            contiguous = True  # the cursor moves only past letters that all succeeded
            for start in range(0, len(uids), FETCH_BATCH):
                chunk = uids[start : start + FETCH_BATCH]
                sizes = await box.sizes(chunk)
                too_large = {uid for uid, size in sizes.items() if size > self.max_letter_bytes}
                letters = await box.fetch([uid for uid in chunk if uid not in too_large])
                headers = await box.fetch_headers(sorted(too_large))
                for uid in chunk:
                    if uid in too_large:
                        cause = LetterTooLarge(sizes[uid], self.max_letter_bytes)
                        raw = headers.get(uid, b"")
                        outcome = await self._quarantine(uid, raw, box.uidvalidity, cause, contiguous, now)
                    else:
                        # A UID the server no longer returns was expunged meanwhile: nothing to take in.
                        outcome = await self._take(uid, letters.get(uid), box.uidvalidity, contiguous, now)
                    if hasattr(result, outcome):
                        setattr(result, outcome, getattr(result, outcome) + 1)
                    if outcome == "failed":
                        contiguous = False
                    elif self.config.mark_seen and uid in letters:
                        await box.mark_seen(uid)
        if result.registered or result.kept_raw or result.failed or result.skipped:
            log.info("mail %s: %s", self.config.cursor_key, result)
        return result

    async def _cursor(self, uidvalidity: int, now: datetime) -> int:
        key = self.config.cursor_key
        async with self.session_factory() as session:
            cursor = await session.scalar(select(MailboxCursor).where(MailboxCursor.mailbox == key))
            if cursor is None:
                cursor = MailboxCursor(mailbox=key, uidvalidity=uidvalidity, last_uid=0, updated_at=now)
                session.add(cursor)
                try:
                    await session.commit()
                except IntegrityError:  # another poller created it a moment ago
                    await session.rollback()
                    cursor = await session.scalar(select(MailboxCursor).where(MailboxCursor.mailbox == key))
                    assert cursor is not None
            if cursor.uidvalidity != uidvalidity:
                # UIDs of the old numbering mean nothing now: read the folder again from the start;
                # letters already registered are recognised by their Message-ID.
                log.warning(
                    "mail %s: UIDVALIDITY changed %s -> %s; re-reading the folder",
                    key,
                    cursor.uidvalidity,
                    uidvalidity,
                )
                audit.record(
                    session,
                    ACTOR,
                    "mailbox_cursor",
                    cursor.id,
                    "uidvalidity_changed",
                    old_state=str(cursor.uidvalidity),
                    new_state=str(uidvalidity),
                )
                cursor.uidvalidity, cursor.last_uid, cursor.updated_at = uidvalidity, 0, now
                self.failures.clear()
                await session.commit()
            self._cursor_id = cursor.id
            return cursor.last_uid

    async def _take(
        self, uid: int, raw: bytes | None, uidvalidity: int, advance: bool, now: datetime | None
    ) -> str:
        key = (uidvalidity, uid)
        if raw is None:
            if advance:
                async with self.session_factory() as session:
                    await self._advance(session, uid, uidvalidity)
                    await session.commit()
            return "expunged"
        deterministic = False
        cause: Exception  # why the letter could not be registered: what the quarantine shows
        try:
            async with self.session_factory() as session:
                outcome = await self._register(session, uid, raw, now)
                if advance:
                    await self._advance(session, uid, uidvalidity)
                await session.commit()
            self.failures.pop(key, None)
            return outcome
        except DomainError as exc:  # refused as input: trying again would give the same answer
            deterministic, cause = True, exc
            log.warning(
                "mail %s uid %s refused (%s): keeping it raw", self.config.cursor_key, uid, exc.message
            )
        except Exception as exc:
            cause = exc
            log.exception("mail %s uid %s: failed to take in", self.config.cursor_key, uid)
        failures = self.failures[key] = self.failures.get(key, 0) + 1
        if not deterministic and failures < MAX_LETTER_FAILURES:
            return "failed"
        try:
            async with self.session_factory() as session:
                await self._register_raw(session, uid, raw, now)
                if advance:
                    await self._advance(session, uid, uidvalidity)
                await session.commit()
        except Exception:
            log.exception("mail %s uid %s: could not even keep it raw", self.config.cursor_key, uid)
            return await self._quarantine(uid, raw, uidvalidity, cause, advance, now)
        self.failures.pop(key, None)
        return "kept_raw"

    async def _quarantine(
        self, uid: int, raw: bytes, uidvalidity: int, exc: Exception, advance: bool, now: datetime | None
    ) -> str:
        """Keep the letter for a clerk and move the cursor past it: later letters must not wait."""
        try:
            async with self.session_factory() as session:
                await quarantine_letter(
                    session,
                    mailbox=self.config.cursor_key,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    raw=raw,
                    error=exc,
                    actor=ACTOR,
                    now=now,
                )
                if advance:
                    await self._advance(session, uid, uidvalidity)
                await session.commit()
        except Exception:  # the database itself is failing: stay before the letter, try next poll
            log.exception("mail %s uid %s: could not quarantine it", self.config.cursor_key, uid)
            return "failed"
        log.warning("mail %s uid %s quarantined (%s)", self.config.cursor_key, uid, type(exc).__name__)
        self.failures.pop((uidvalidity, uid), None)
        return "quarantined"

    async def _register(self, session: AsyncSession, uid: int, raw: bytes, now: datetime | None) -> str:
        outcome, _ = await register_letter(
            session,
            raw,
            t=self._t,
            files_dir=self.files_dir,
            notify=self.notify,
            now=now,
            audit_target=self._cursor_id,
            origin=f"uid {uid}",
        )
        return outcome

    async def _register_raw(self, session: AsyncSession, uid: int, raw: bytes, now: datetime | None) -> None:
        """Last resort for a letter that keeps failing: the whole letter as a file."""
        try:
            letter: ParsedLetter | None = parse_letter(raw)
        except Exception:
            letter = None
        fits = len(raw) <= MAX_PART_BYTES
        note = self._t(UNREADABLE_NOTE) if fits else self._t(TOO_LARGE_NOTE, size=len(raw) // 1024)
        data = AppealInput(
            channel=AppealChannel.EMAIL,
            text="\n\n".join(x for x in (letter.subject if letter else None, note) if x),
            contact=_contact(letter),
            subject=letter.subject if letter else None,
            files=[_incoming(letter_as_file(raw))] if fits else [],
            external_id=letter.external_id if letter else raw_letter_id(raw),
            reply_to=letter.reply_to if letter else None,
        )
        result = await register_appeal(
            session, data, actor=ACTOR, files_dir=self.files_dir, notify=self.notify, now=now
        )
        log.warning("mail uid %s kept as raw .eml in appeal %s", uid, result.appeal.reg_number)

    async def _advance(self, session: AsyncSession, uid: int, uidvalidity: int) -> None:
        await session.execute(
            update(MailboxCursor)
            .where(
                MailboxCursor.mailbox == self.config.cursor_key,
                MailboxCursor.uidvalidity == uidvalidity,
                MailboxCursor.last_uid < uid,
            )
            .values(last_uid=uid, updated_at=utcnow())
        )
