"""Erasure of a person's identity on request or at the end of retention (152-FZ art. 21).

The appeal itself is an official record (59-FZ; archive law keeps it 5 years): its registration
number, dates, topic, status, text and answer stay. What is removed is who wrote it: the
correspondent's name, phone, e-mail, postal address, INN, notes and Telegram link (on the records
merged into it too), the contacts stored with each appeal, the Telegram account's phone and names,
e-mail codes, outage subscriptions, the addresses answers were mailed to, and the texts of the
messenger notices sent to the person's chats (still queued ones are not sent). The consent log keeps
the decisions (version, date) without the Telegram id and IP. Attached files stay with the appeal
as part of the record, renamed ``file-<id>`` (a file name often carries a name) and unlinked from
Telegram. After this the person is not found by phone, e-mail or Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Appeal,
    ConsentRecord,
    Correspondent,
    CorrespondentSuggestion,
    EmailCode,
    MailOutbox,
    OutboxMessage,
    PdErasure,
    StoredFile,
    Subscription,
    TelegramAccount,
    User,
    utcnow,
)
from models.enums import OutboxStatus
from services.audit import Actor, record
from services.correspondents.normalize import name_key
from services.errors import InvalidInput, NotFound
from services.privacy import rights
from services.privacy.audience_data import erase_audience
from services.privacy.form_answers import erase_submissions

# Stored in place of the data (not interface text: what every later reader of the record sees).
ERASED_ON_REQUEST = "Удалено по запросу"
ERASED_BY_RETENTION = "Удалено по истечении срока хранения"
ERASED_MAIL = "erased@invalid"
ERASED_NOTICE = "personal data erased"  # why a queued notice was not sent
MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class ErasureResult:
    correspondent_id: int
    records: int  # the correspondent record and the ones merged into it
    appeals: int


async def is_erased(session: AsyncSession, correspondent_id: int) -> bool:
    found = await session.scalar(select(PdErasure.id).where(PdErasure.correspondent_id == correspondent_id))
    return found is not None


async def erase_on_request(
    session: AsyncSession, user: User, correspondent_id: int, reason: str, *, now: datetime | None = None
) -> ErasureResult:
    """A clerk carries out the person's request; the reason (the request's number, date) is required."""
    rights.check(user)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason: the person's request (its number and date).")
    return await anonymise(
        session, correspondent_id, Actor(user_id=user.id), reason[:MAX_REASON], erased_by_id=user.id, now=now
    )


async def _forget_notices(session: AsyncSession, chats: set[int], now: datetime) -> None:
    """The messenger notices of the person's chats keep their delivery record (status, time, batch:
    the counts of a mailing or an outage's notices stay right) without their text, which quotes the
    person's appeals and addresses; the ones still queued are not sent. A chat that is also a staff
    member's (the same person at work) keeps its notices: those are the organisation's work."""
    staff = set(
        (
            await session.scalars(
                select(TelegramAccount.id).where(
                    TelegramAccount.id.in_(chats), TelegramAccount.user_id.is_not(None)
                )
            )
        ).all()
    )
    staff |= set((await session.scalars(select(User.telegram_id).where(User.telegram_id.in_(chats)))).all())
    residents = chats - staff
    if not residents:
        return
    pending = OutboxMessage.status == OutboxStatus.PENDING
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id.in_(residents))
        .values(
            payload={},
            cleared_at=now,
            status=case((pending, OutboxStatus.DROPPED.value), else_=OutboxMessage.status),
            last_error=case((pending, ERASED_NOTICE), else_=OutboxMessage.last_error),
        )
        .execution_options(synchronize_session=False)
    )


async def anonymise(
    session: AsyncSession,
    correspondent_id: int,
    actor: Actor,
    reason: str,
    *,
    erased_by_id: int | None = None,
    by_retention: bool = False,
    now: datetime | None = None,
) -> ErasureResult:
    """Remove the identity (see the module's note); audited. Erasing twice is refused."""
    now = now or utcnow()
    c = await session.get(Correspondent, correspondent_id, with_for_update=True)
    if c is None:
        raise NotFound("Correspondent not found.")
    if c.merged_into_id is not None:
        raise InvalidInput("This record is merged into another one: erase that one.")
    if await is_erased(session, c.id):
        raise InvalidInput("This person's data has already been erased.")
    placeholder = ERASED_BY_RETENTION if by_retention else ERASED_ON_REQUEST
    merged = (await session.scalars(select(Correspondent).where(Correspondent.merged_into_id == c.id))).all()
    people = [c, *merged]
    ids = [p.id for p in people]
    telegram_ids = {p.telegram_id for p in people if p.telegram_id is not None}
    telegram_ids |= set(
        (
            await session.scalars(select(TelegramAccount.id).where(TelegramAccount.correspondent_id.in_(ids)))
        ).all()
    )
    for p in people:
        p.name = placeholder
        p.name_search = name_key(placeholder)
        p.phone = p.phone_normalized = p.email = p.postal_address = None
        p.organisation_inn = p.notes = p.external_id = None
        p.telegram_id = None
        p.phone_proven = p.email_proven = False
    appeal_ids = list(
        (await session.scalars(select(Appeal.id).where(Appeal.correspondent_id.in_(ids)))).all()
    )
    if appeal_ids:
        await session.execute(
            update(Appeal)
            .where(Appeal.id.in_(appeal_ids))
            .values(contact_phone=None, contact_email=None, reply_to=None, telegram_id=None)
        )
        files = (await session.scalars(select(StoredFile).where(StoredFile.appeal_id.in_(appeal_ids)))).all()
        for f in files:
            f.original_name = _neutral_name(f)
            f.uploaded_by_telegram_id = None
        await session.execute(
            update(MailOutbox).where(MailOutbox.appeal_id.in_(appeal_ids)).values(to_address=ERASED_MAIL)
        )
    await erase_submissions(session, ids)  # the answers to forms: blanked, form and date kept
    await erase_audience(session, ids)  # events, applications, volunteering, consent to mailings
    if telegram_ids:
        await session.execute(
            update(TelegramAccount)
            .where(TelegramAccount.id.in_(telegram_ids), TelegramAccount.user_id.is_(None))
            .values(phone=None, first_name=None, last_name=None, username=None, correspondent_id=None)
        )
        await session.execute(delete(EmailCode).where(EmailCode.telegram_id.in_(telegram_ids)))
        await session.execute(delete(Subscription).where(Subscription.telegram_id.in_(telegram_ids)))
        await session.execute(
            update(ConsentRecord)
            .where(ConsentRecord.telegram_id.in_(telegram_ids))
            .values(telegram_id=None, ip=None)
        )
        await _forget_notices(session, telegram_ids, now)
    await session.execute(
        update(ConsentRecord).where(ConsentRecord.correspondent_id.in_(ids)).values(telegram_id=None, ip=None)
    )
    # A duplicate suggestion pairs this person with someone by phone or e-mail: moot now.
    await session.execute(
        delete(CorrespondentSuggestion).where(
            (CorrespondentSuggestion.correspondent_id.in_(ids))
            | (CorrespondentSuggestion.candidate_id.in_(ids))
        )
    )
    session.add(
        PdErasure(
            correspondent_id=c.id,
            erased_at=now,
            erased_by_id=erased_by_id,
            reason=reason,
            by_retention=by_retention,
        )
    )
    record(
        session,
        actor,
        "correspondent",
        c.id,
        "pd_erased",
        reason=reason,
        data={"records": ids, "appeals": len(appeal_ids), "by_retention": by_retention},
    )
    await session.flush()
    return ErasureResult(c.id, len(ids), len(appeal_ids))


def _neutral_name(f: StoredFile) -> str:
    suffix = ""
    if f.original_name and "." in f.original_name:
        ext = f.original_name.rsplit(".", 1)[1]
        if ext.isalnum() and len(ext) <= 8:
            suffix = "." + ext.lower()
    return f"file-{f.id}{suffix}"


async def erasure_of(session: AsyncSession, correspondent_id: int) -> PdErasure | None:
    return await session.scalar(select(PdErasure).where(PdErasure.correspondent_id == correspondent_id))
