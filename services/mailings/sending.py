"""Sending a mailing: a test to oneself, now, or at a time; starting it exactly once; its progress.

Starting moves the mailing's status with a conditional UPDATE (``WHERE status IN (...)``): of two
starters (the «send now» button and the scheduler, or two scheduler runs) only the one whose UPDATE
changed the row goes on to queue messages, and the outbox's dedup key per mailing and chat makes a
retried start queue nothing twice. The outbox sender paces the messages at Telegram's rate.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Mailing, MailingRecipient, StoredFile, TelegramAccount, User, utcnow
from models.enums import MailingStatus
from services import outbox
from services.audit import Actor, record
from services.errors import InvalidInput
from services.mailings import audience, content
from services.mailings.drafts import actor_of, get, require_manager
from services.notify import N_, Translator, html_escape

TEST_PRIORITY = 10  # a test reaches its sender ahead of any mailing in progress
MAILING_PRIORITY = 150  # behind replies and notices: a person talking to the bot is answered first
CHUNK = 500
UNSUBSCRIBE = N_("Unsubscribe")
TEST_MARK = N_("Test of the mailing «%(title)s»")


def batch_of(mailing_id: int) -> str:
    return f"mailing:{mailing_id}"


async def _file_ref(session: AsyncSession, mailing: Mailing) -> dict[str, str] | str | None:
    if mailing.file_id is None:
        return None
    stored = await session.get(StoredFile, mailing.file_id)
    if stored is None:
        return None
    return {"path": stored.storage_path, "filename": stored.original_name or "file"}


def _check_sendable(mailing: Mailing) -> None:
    if not mailing.body_html and mailing.file_id is None:
        raise InvalidInput("Write the text of the mailing or attach a photo or a document.", field="body")


async def test_send(session: AsyncSession, user: User, mailing_id: int, *, locale: str = "ru") -> None:
    """The mailing as recipients will see it, sent only to the signed-in staff member's own chat."""
    require_manager(user)
    mailing = await get(session, mailing_id)
    _check_sendable(mailing)
    account = await session.scalar(select(TelegramAccount).where(TelegramAccount.user_id == user.id))
    if account is None or account.blocked_at is not None:
        raise InvalidInput(
            "Your Telegram is not linked to the panel: open the bot with your invitation first."
        )
    t = Translator(locale)
    method, payload = content.request_for(
        account.chat_id,
        body_html=mailing.body_html,
        buttons=mailing.buttons or [],
        file_ref=await _file_ref(session, mailing),
        file_kind=mailing.file_kind,
        opt_out=None,
    )
    note = outbox.text_message(account.chat_id, t(TEST_MARK, title=html_escape(mailing.title)))
    nonce = secrets.token_hex(4)  # every press sends again
    await outbox.enqueue_many(
        session,
        [
            outbox.OutgoingMessage(
                note.chat_id, note.payload, dedup_key=f"mailing-test:{mailing.id}:{nonce}:0"
            ),
            outbox.OutgoingMessage(
                account.chat_id, payload, method, dedup_key=f"mailing-test:{mailing.id}:{nonce}:1"
            ),
        ],
        batch=f"mailing-test:{mailing.id}",
        priority=TEST_PRIORITY,
    )
    record(session, actor_of(user), "mailing", mailing.id, "test_send", data={"chat_id": account.chat_id})


async def schedule(
    session: AsyncSession, user: User, mailing_id: int, at: datetime, *, now: datetime | None = None
) -> Mailing:
    require_manager(user)
    mailing = await get(session, mailing_id)
    now = now or utcnow()
    if mailing.status not in (MailingStatus.DRAFT, MailingStatus.SCHEDULED):
        raise InvalidInput("Only a draft can be scheduled.")
    if mailing.segment_id is None:
        raise InvalidInput("Choose the segment to send to.", field="segment_id")
    _check_sendable(mailing)
    if at <= now + timedelta(minutes=1):
        raise InvalidInput("Choose a time in the future.", field="scheduled_at")
    old = mailing.status
    mailing.status, mailing.scheduled_at, mailing.updated_at = MailingStatus.SCHEDULED, at, now
    record(
        session,
        actor_of(user),
        "mailing",
        mailing.id,
        "schedule",
        old_state=old,
        new_state=mailing.status,
        data={"at": at.isoformat()},
    )
    await session.flush()
    return mailing


async def cancel(session: AsyncSession, user: User, mailing_id: int) -> Mailing:
    """Cancel a scheduled mailing (a draft may be cancelled too); one being sent cannot be recalled."""
    require_manager(user)
    mailing = await get(session, mailing_id)
    changed = await session.execute(
        update(Mailing)
        .where(Mailing.id == mailing_id, Mailing.status.in_([MailingStatus.DRAFT, MailingStatus.SCHEDULED]))
        .values(status=MailingStatus.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidInput("This mailing has already started and cannot be cancelled.")
    old = mailing.status
    await session.refresh(mailing)
    record(session, actor_of(user), "mailing", mailing.id, "cancel", old_state=old, new_state=mailing.status)
    return mailing


async def send_now(
    session: AsyncSession, user: User, mailing_id: int, *, locale: str = "ru", tz: tzinfo = UTC
) -> int:
    """Start the mailing at once; returns how many messages were queued."""
    require_manager(user)
    mailing = await get(session, mailing_id)
    if mailing.segment_id is None:
        raise InvalidInput("Choose the segment to send to.", field="segment_id")
    _check_sendable(mailing)
    queued = await _start(
        session,
        actor_of(user),
        mailing,
        (MailingStatus.DRAFT, MailingStatus.SCHEDULED),
        locale=locale,
        tz=tz,
    )
    if queued is None:
        raise InvalidInput("This mailing has already been started.")
    return queued


async def start_due(
    session: AsyncSession, *, now: datetime | None = None, locale: str = "ru", tz: tzinfo = UTC
) -> list[int]:
    """Start every scheduled mailing whose time has come (the scheduler's job); returns their ids."""
    now = now or utcnow()
    due = (
        await session.scalars(
            select(Mailing.id).where(Mailing.status == MailingStatus.SCHEDULED, Mailing.scheduled_at <= now)
        )
    ).all()
    started = []
    for mailing_id in due:
        mailing = await session.get(Mailing, mailing_id)
        if (
            mailing is not None
            and await _start(
                session,
                Actor.system("scheduler"),
                mailing,
                (MailingStatus.SCHEDULED,),
                locale=locale,
                now=now,
                tz=tz,
            )
            is not None
        ):
            started.append(mailing_id)
    return started


async def _start(
    session: AsyncSession,
    actor: Actor,
    mailing: Mailing,
    from_states: tuple[MailingStatus, ...],
    *,
    locale: str,
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> int | None:
    """Claim the mailing (conditional UPDATE) and queue it; None when another starter won."""
    now = now or utcnow()
    claimed = await session.execute(
        update(Mailing)
        .where(Mailing.id == mailing.id, Mailing.status.in_([s.value for s in from_states]))
        .values(status=MailingStatus.SENDING, started_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    old = mailing.status
    await session.refresh(mailing)
    found = (
        await audience.breakdown(session, mailing.segment_id, tz)
        if mailing.segment_id
        else audience.Breakdown()
    )
    label = Translator(locale)(UNSUBSCRIBE)
    file_ref = await _file_ref(session, mailing)
    queued = 0
    for start in range(0, len(found.recipients), CHUNK):
        chunk = found.recipients[start : start + CHUNK]
        await session.execute(
            insert(MailingRecipient),
            [
                {
                    "mailing_id": mailing.id,
                    "correspondent_id": r.correspondent_id,
                    "chat_id": r.chat_id,
                    "queued_at": now,
                }
                for r in chunk
            ],
        )
        messages = []
        for r in chunk:
            method, payload = content.request_for(
                r.chat_id,
                body_html=mailing.body_html,
                buttons=mailing.buttons or [],
                file_ref=file_ref,
                file_kind=mailing.file_kind,
                opt_out=(label, content.opt_out_data(mailing.id)),
            )
            messages.append(
                outbox.OutgoingMessage(
                    r.chat_id, payload, method, dedup_key=f"mailing:{mailing.id}:{r.chat_id}"
                )
            )
        queued += await outbox.enqueue_many(
            session, messages, batch=batch_of(mailing.id), priority=MAILING_PRIORITY
        )
    mailing.recipients_total = len(found.recipients)
    mailing.skipped_total = sum(found.left_out.values())
    if not found.recipients:
        mailing.status, mailing.finished_at = MailingStatus.SENT, now
    record(
        session,
        actor,
        "mailing",
        mailing.id,
        "start",
        old_state=old,
        new_state=mailing.status,
        data={"recipients": mailing.recipients_total, "skipped": dict(found.left_out)},
    )
    await session.flush()
    return queued


@dataclass(frozen=True, slots=True)
class Progress:
    status: str
    recipients: int
    skipped: int
    queued: int
    delivered: int
    blocked: int
    failed: int
    opted_out: int

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "recipients": self.recipients,
            "skipped": self.skipped,
            "queued": self.queued,
            "delivered": self.delivered,
            "blocked": self.blocked,
            "failed": self.failed,
            "opted_out": self.opted_out,
        }


async def progress(session: AsyncSession, mailing: Mailing) -> Progress:
    """Counts from the outbox rows of the mailing's batch; a mailing with nothing pending is SENT
    (finished here on read as well as by the scheduler, whichever comes first)."""
    counts = await outbox.batch_progress(session, batch_of(mailing.id))
    opted = (
        await session.scalar(
            select(func.count()).where(
                MailingRecipient.mailing_id == mailing.id, MailingRecipient.opted_out_at.is_not(None)
            )
        )
        or 0
    )
    if (
        mailing.status == MailingStatus.SENDING
        and counts.pending == 0
        and counts.total >= mailing.recipients_total
    ):
        await finish(session, mailing)
    return Progress(
        status=mailing.status,
        recipients=mailing.recipients_total,
        skipped=mailing.skipped_total,
        queued=counts.pending,
        delivered=counts.sent,
        blocked=counts.dropped,
        failed=counts.failed,
        opted_out=opted,
    )


async def finish(session: AsyncSession, mailing: Mailing) -> bool:
    now = utcnow()
    done = await session.execute(
        update(Mailing)
        .where(Mailing.id == mailing.id, Mailing.status == MailingStatus.SENDING)
        .values(status=MailingStatus.SENT, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await session.refresh(mailing)
    record(
        session,
        Actor.system("mailings"),
        "mailing",
        mailing.id,
        "finish",
        old_state=MailingStatus.SENDING,
        new_state=MailingStatus.SENT,
    )
    return True


async def finish_done(session: AsyncSession) -> int:
    """Mark SENT every mailing in progress whose messages all have a final state (the job)."""
    finished = 0
    for mailing in (
        await session.scalars(select(Mailing).where(Mailing.status == MailingStatus.SENDING))
    ).all():
        counts = await outbox.batch_progress(session, batch_of(mailing.id))
        if (
            counts.pending == 0
            and counts.total >= mailing.recipients_total
            and await finish(session, mailing)
        ):
            finished += 1
    return finished
