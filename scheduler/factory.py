"""APScheduler assembly. Jobs are plain async functions that open their own session; their
idempotency lives in the database (unique keys), so a restart or a missed run never doubles work.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from porucheno.settings import Settings
from scheduler import (
    dispatch_jobs,
    events_jobs,
    jobs,
    mailings_jobs,
    privacy_jobs,
    recurring_jobs,
    service_desk_jobs,
)
from scheduler.job_metrics import count_job_runs
from services.mail.imap_client import ImapConfig
from services.mail.intake import MailPoller
from services.mail.smtp_sender import MailSender, SmtpConfig
from services.metrics import Metrics
from services.notify import NoticeContext
from services.offload import Offload
from services.service_desk.mail_in import ServiceMailPoller, service_imap_config
from services.service_desk.mail_out import DEDUP_PREFIX as DESK_MAIL_PREFIX

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
MAIL_OUTBOX_SECONDS = 15
# Broadcast progress in the dispatcher's preview: at most one edit per message this often.
OUTAGE_PROGRESS_SECONDS = 3
# Digests are queued by the first check after the digest time (and never twice: dedup keys).
DIGEST_CHECK_MINUTES = 5
# Service-desk SLA warnings and escalations: targets are minutes, so the watch runs every minute.
SLA_WATCH_SECONDS = 60
MAILINGS_SECONDS = 30  # a scheduled mailing starts within half a minute of its time


@dataclass
class SchedulerHealth:
    """Updated by the heartbeat job; /healthz reports the scheduler alive while it beats."""

    last_beat: datetime | None = None
    history: list[str] = field(default_factory=list)

    def alive(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.last_beat is not None and (now - self.last_beat).total_seconds() < 3 * HEARTBEAT_SECONDS


async def heartbeat(health: SchedulerHealth) -> None:
    health.last_beat = utcnow()


def create_scheduler(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    health: SchedulerHealth,
    metrics: Metrics | None = None,
    offload: Offload | None = None,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=settings.tz,
        # One instance per job; a run missed while down is run once on start-up (coalesced).
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    if metrics is not None:
        count_job_runs(scheduler, metrics)
    scheduler.add_job(
        heartbeat,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        args=[health],
        id="heartbeat",
        next_run_time=utcnow(),
    )
    ctx = NoticeContext.from_settings(settings)
    scheduler.add_job(
        jobs.deadline_scan,
        "interval",
        minutes=settings.deadline_scan_minutes,
        args=[session_factory, ctx, jobs.nudge_policy(settings)],
        id="deadline_scan",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        jobs.appeal_reminders,
        "interval",
        minutes=settings.deadline_scan_minutes,
        args=[session_factory, ctx, jobs.reminder_policy(settings), jobs.nudge_policy(settings)],
        id="appeal_reminders",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        jobs.planned_outages,
        "interval",
        minutes=settings.deadline_scan_minutes,
        args=[session_factory, ctx],
        kwargs={"warn_before": timedelta(hours=settings.outage_warning_hours)},
        id="planned_outages",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        jobs.outage_progress,
        "interval",
        seconds=OUTAGE_PROGRESS_SECONDS,
        args=[session_factory, ctx],
        id="outage_progress",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        dispatch_jobs.dispatch_nudges,
        "interval",
        minutes=settings.deadline_scan_minutes,
        args=[session_factory, ctx],
        id="dispatch_nudges",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        service_desk_jobs.sla_watch_scan,
        "interval",
        seconds=SLA_WATCH_SECONDS,
        args=[session_factory, ctx, settings.service_confirm_days],
        id="sla_watch",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        mailings_jobs.mailings_tick,
        "interval",
        seconds=MAILINGS_SECONDS,
        args=[session_factory, settings.locale, None, settings.tz],
        id="mailings",
        next_run_time=utcnow(),
    )
    hour, minute = (int(x) for x in settings.escalation_time.split(":"))
    scheduler.add_job(
        jobs.overdue_escalation,
        "cron",
        hour=hour,
        minute=minute,
        args=[session_factory, ctx],
        id="overdue_escalation",
        # Run late rather than skip a day when the service was down at escalation time.
        misfire_grace_time=12 * 3600,
    )
    scheduler.add_job(
        jobs.digests,
        "interval",
        minutes=DIGEST_CHECK_MINUTES,
        args=[
            session_factory,
            ctx,
            settings.files_dir,
            jobs.hhmm(settings.digest_time),
            settings.weekly_report_day,
        ],
        kwargs={"groups": frozenset(settings.digest_recipients.split(",")), "offload": offload},
        id="digests",
        next_run_time=utcnow(),
    )
    # Retention (152-FZ): nightly, and once at start-up, so a night missed while down is caught up;
    # 0 days switches a job off.
    retention = (
        ("pd_retention", privacy_jobs.pd_retention, settings.pd_retention_days, 30),
        ("notice_retention", privacy_jobs.notice_retention_job, settings.notice_keep_days, 45),
    )
    for job_id, job, days, minute in retention:
        if days > 0:
            scheduler.add_job(
                job,
                "cron",
                hour=4,
                minute=minute,
                args=[session_factory, days],
                id=job_id,
                next_run_time=utcnow(),
                misfire_grace_time=12 * 3600,
            )
    scheduler.add_job(
        recurring_jobs.recurring_assignments,
        "interval",
        minutes=recurring_jobs.RECURRING_MINUTES,
        args=[session_factory, ctx],
        id="recurring_assignments",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        events_jobs.event_reminders,
        "interval",
        minutes=events_jobs.REMINDER_MINUTES,
        args=[session_factory, ctx],
        id="event_reminders",
        next_run_time=utcnow(),
    )
    _add_mail_jobs(scheduler, settings, session_factory, ctx)
    if settings.backup_dir is not None:
        hour, minute = (int(x) for x in settings.backup_at.split(":"))
        # Opens its own connections (backup API / pg_dump). Also run at start-up: the job store
        # forgets a night missed while down, and the job makes nothing if tonight's backup exists.
        scheduler.add_job(
            jobs.nightly_backup,
            "cron",
            hour=hour,
            minute=minute,
            args=[settings],
            id="nightly_backup",
            next_run_time=utcnow(),
            misfire_grace_time=12 * 3600,
        )
    return scheduler


def _add_mail_jobs(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    ctx: NoticeContext,
) -> None:
    """The e-mail channel runs only when configured: IMAP intake with a host, answers with SMTP."""
    if settings.imap_host:
        poller = MailPoller(
            session_factory, ImapConfig.from_settings(settings), files_dir=settings.files_dir, notify=ctx
        )
        scheduler.add_job(
            jobs.imap_poll,
            "interval",
            seconds=settings.imap_poll_seconds,
            args=[poller],
            id="imap_poll",
            next_run_time=utcnow(),
        )
    desk_mail = bool(ctx.service_mail_from)
    if desk_mail:
        # The service desk's mailbox: letters become service requests (same cursor and quarantine).
        desk_poller = ServiceMailPoller(
            session_factory,
            service_imap_config(settings),
            files_dir=settings.files_dir,
            notify=ctx,
            default_topic=settings.service_mail_topic,
        )
        scheduler.add_job(
            jobs.imap_poll,
            "interval",
            seconds=settings.service_imap_poll_seconds,
            args=[desk_poller],
            id="service_mail_poll",
            next_run_time=utcnow(),
        )
    if settings.smtp_host:
        # Service-desk letters leave From its own mailbox (and its login), so replies come back there.
        skip = DESK_MAIL_PREFIX if desk_mail else None
        scheduler.add_job(
            jobs.mail_outbox,
            "interval",
            seconds=MAIL_OUTBOX_SECONDS,
            args=[
                MailSender(
                    session_factory,
                    SmtpConfig.from_settings(settings),
                    files_dir=settings.files_dir,
                    skip_prefix=skip,
                )
            ],
            id="mail_outbox",
            next_run_time=utcnow(),
        )
        if desk_mail:
            config = dataclasses.replace(
                SmtpConfig.from_settings(settings),
                mail_from=settings.service_mail_from,
                user=settings.service_smtp_user or settings.smtp_user,
                password=(
                    settings.service_smtp_password.get_secret_value()
                    if settings.service_smtp_user
                    else settings.smtp_password.get_secret_value()
                ),
            )
            scheduler.add_job(
                jobs.mail_outbox,
                "interval",
                seconds=MAIL_OUTBOX_SECONDS,
                args=[
                    MailSender(
                        session_factory, config, files_dir=settings.files_dir, only_prefix=DESK_MAIL_PREFIX
                    )
                ],
                id="service_mail_outbox",
                next_run_time=utcnow(),
            )
