"""Scheduled jobs. Each opens its own session, takes the clock as an argument and is idempotent."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from porucheno.settings import Settings
from services import backup
from services.analytics.digest_send import queue_daily_digests, queue_weekly_reports
from services.appeals import reminders
from services.assignments import deadlines
from services.mail.imap_client import ImapError
from services.mail.intake import MailPoller, PollResult
from services.mail.smtp_sender import MailSender, SendResult
from services.notify import NoticeContext
from services.offload import Offload
from services.outages.planned import planned_scan
from services.outages.progress import queue_progress_edits

log = logging.getLogger(__name__)


def hhmm(value: str) -> time:
    hours, minutes = (int(x) for x in value.split(":"))
    return time(hours, minutes)


def nudge_policy(settings: Settings) -> deadlines.NudgePolicy:
    start, end = settings.quiet_hours.split("-")
    return deadlines.NudgePolicy(
        offsets=tuple(timedelta(hours=h) for h in settings.nudge_offsets_hours),
        quiet_start=hhmm(start),
        quiet_end=hhmm(end),
    )


async def deadline_scan(
    session_factory: async_sessionmaker[AsyncSession],
    ctx: NoticeContext,
    policy: deadlines.NudgePolicy,
    now: datetime | None = None,
) -> deadlines.ScanResult:
    async with session_factory() as session:
        result = await deadlines.scan(session, ctx, policy, now or utcnow())
        await session.commit()
    if result.reminders or result.deadline_notices:
        log.info("deadline scan: %s reminders, %s at deadline", result.reminders, result.deadline_notices)
    return result


def reminder_policy(settings: Settings) -> reminders.ReminderPolicy:
    return reminders.ReminderPolicy(days_before=reminders.parse_days(settings.appeal_remind_days))


async def appeal_reminders(
    session_factory: async_sessionmaker[AsyncSession],
    ctx: NoticeContext,
    policy: reminders.ReminderPolicy,
    quiet: deadlines.NudgePolicy,
    now: datetime | None = None,
) -> reminders.ReminderResult:
    """Remind clerks of appeals' registration and answer deadlines; nothing during quiet hours
    (the next run after them sends what is due, once)."""
    now = now or utcnow()
    if quiet.is_quiet(ctx.local(now)):
        return reminders.ReminderResult()
    async with session_factory() as session:
        result = await reminders.scan(session, ctx, policy, now)
        await session.commit()
    if result.messages:
        log.info("appeal reminders: %s appeals, %s messages", result.appeals, result.messages)
    return result


async def overdue_escalation(
    session_factory: async_sessionmaker[AsyncSession], ctx: NoticeContext, now: datetime | None = None
) -> int:
    async with session_factory() as session:
        sent = await deadlines.escalate_overdue(session, ctx, now or utcnow())
        await session.commit()
    log.info("overdue escalation: %s recipients", sent)
    return sent


async def planned_outages(
    session_factory: async_sessionmaker[AsyncSession],
    ctx: NoticeContext,
    now: datetime | None = None,
    warn_before: timedelta = timedelta(hours=24),
) -> None:
    """Warn subscribers before planned outages, and tell them when they start and end."""
    async with session_factory() as session:
        result = await planned_scan(session, ctx, now or utcnow(), warn_before)
        await session.commit()
    if result.queued:
        log.info("planned outages: %s notices queued", result.queued)


async def outage_progress(
    session_factory: async_sessionmaker[AsyncSession], ctx: NoticeContext, now: datetime | None = None
) -> int:
    """Edit the dispatchers' published previews with the broadcast's progress (throttled, see there)."""
    async with session_factory() as session:
        queued = await queue_progress_edits(session, ctx, now or utcnow())
        await session.commit()
    return queued


async def imap_poll(poller: MailPoller) -> PollResult | None:
    """Take new letters in as appeals; an unreachable server is retried at the next run."""
    try:
        return await poller.poll()
    except ImapError as exc:
        log.warning("mail %s: %s", poller.config.cursor_key, exc)
        return None


async def mail_outbox(sender: MailSender) -> SendResult:
    """Send due e-mail answers and acknowledgements."""
    return await sender.send_due()


async def digests(
    session_factory: async_sessionmaker[AsyncSession],
    ctx: NoticeContext,
    files_dir: Path,
    digest_time: time,
    weekly_day: int,
    now: datetime | None = None,
    groups: frozenset[str] = frozenset({"managers", "heads", "dispatchers", "clerks"}),
    offload: Offload | None = None,
) -> int:
    """From the digest time on, queue today's daily digest (and on the weekly day, the weekly
    report) for every recipient who has not had it; running again queues nothing new."""
    now = now or utcnow()
    local = ctx.local(now)
    if local.time() < digest_time:
        return 0
    async with session_factory() as session:
        queued = await queue_daily_digests(session, ctx, files_dir, now=now, groups=groups, offload=offload)
        if local.isoweekday() == weekly_day:
            queued += await queue_weekly_reports(
                session, ctx, files_dir, now=now, groups=groups, offload=offload
            )
        await session.commit()
    if queued:
        log.info("digests: %d messages queued", queued)
    return queued


def last_due(at: time, tz: tzinfo, now: datetime) -> datetime:
    """The latest moment at local time ``at`` that is not after ``now`` (today's or yesterday's)."""
    local = now.astimezone(tz)
    due = datetime.combine(local.date(), at, tzinfo=tz)
    if due > local:
        due = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    return due


async def nightly_backup(settings: Settings, now: datetime | None = None) -> Path | None:
    """Back up the database and the files once per night; a second run that night makes nothing."""
    assert settings.backup_dir is not None  # scheduled only when it is set
    now = now or utcnow()
    try:
        result = await backup.nightly_backup(
            settings.database_url,
            settings.files_dir,
            settings.backup_dir,
            settings.backup_keep,
            due_since=last_due(hhmm(settings.backup_at), settings.tz, now),
            now=now,
        )
    except backup.BackupError as exc:  # e.g. pg_dump missing: one line in the log, retried next night
        log.error("nightly backup failed: %s", exc)
        return None
    return result.created
