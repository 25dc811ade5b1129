"""Reminders to the responsible clerks before an appeal's legal deadlines, run by the scheduler.

Two deadlines of Federal Law 59-FZ:

* **registration** within 3 days of receipt (art. 8 p. 2). Appeals are numbered on receipt, but
  registration is complete only once the appeal is taken into work: the workflow moves it from
  ``registered`` to ``in_work`` when its first assignment is made (``status_sync``). So an appeal
  still ``registered`` (no assignment, nobody working on it) ``REGISTRATION_DAYS`` after
  ``registered_at`` has missed that deadline.
* **registration by a clerk**, for channels set to manual registration (``regime``): an appeal
  waiting in ``received`` must be registered by its ``registration_due_at`` (3 days from receipt,
  end of the local day). Same kind, its own deadline (so its own dedup keys) and its own words.
* **the answer** by ``due_at`` (the topic's ``answer_days``, 30 by default, once extended), for an
  appeal still open (``registered`` or ``in_work``).

For each deadline the clerks in the appeal's scope (``access.ClerkMap``) are reminded when it is at
most N local calendar days away, for each N of the policy, and once on the day it has passed.
Calendar days, not working days: the production calendar arrives with issue #15.

Idempotency lives in the outbox: each reminder's dedup key names the appeal, the deadline, its
moment and the threshold, so a rerun, a restart or a second instance queues nothing twice; an
extended deadline is a new moment and is reminded again. When several thresholds are due at once
(the service was down), only the most urgent is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, User
from models.enums import AppealStatus
from services.appeals import access, staff_alerts
from services.notify import N_, NoticeContext

REGISTRATION_DAYS = 3  # 59-FZ art. 8 p. 2
OPEN = (AppealStatus.REGISTERED.value, AppealStatus.IN_WORK.value)
# A deadline missed longer ago than this is not announced any more (only listed in digests).
PASSED_WINDOW = timedelta(days=1)

REGISTRATION = "registration"
ANSWER = "answer"
RECEIVED = AppealStatus.RECEIVED.value  # a registration reminder for an appeal not registered yet
HEADLINES = {
    (REGISTRATION, False): N_("⏰ Appeal No. %(number)s: complete the registration (take it into work)"),
    (REGISTRATION, True): N_("🔴 Appeal No. %(number)s: the 3-day registration term has passed"),
    (RECEIVED, False): N_("⏰ Appeal No. %(number)s is waiting for registration: register it by tomorrow"),
    (RECEIVED, True): N_("🔴 Appeal No. %(number)s: the 3-day registration term has passed, register it"),
    (ANSWER, False): N_("⏰ Appeal No. %(number)s: the answer is due soon"),
    (ANSWER, True): N_("🔴 Appeal No. %(number)s: the answer is overdue"),
}


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: tuple[int, ...] = (3, 1)


@dataclass
class ReminderResult:
    appeals: int = 0
    messages: int = 0


def parse_days(value: str) -> tuple[int, ...]:
    """``"3,1"`` → ``(3, 1)``; the settings validate it with this."""
    days = tuple(sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True))
    if any(d < 0 for d in days):
        raise ValueError("reminder days must be whole numbers of days, 0 or more")
    return days


def _threshold(ctx: NoticeContext, deadline: datetime, now: datetime, days: tuple[int, ...]) -> str | None:
    """The most urgent threshold reached (``overdue`` once passed), or None."""
    if deadline <= now:
        return "overdue" if now - deadline <= PASSED_WINDOW else None
    left = (ctx.local(deadline).date() - ctx.local(now).date()).days
    reached = [d for d in days if left <= d]
    return f"d{min(reached)}" if reached else None


async def _candidates(session: AsyncSession, now: datetime, horizon: timedelta) -> list[tuple[str, Appeal]]:
    registration = (
        await session.scalars(
            select(Appeal).where(
                Appeal.status == AppealStatus.REGISTERED.value,
                Appeal.registered_at > now - timedelta(days=REGISTRATION_DAYS) - PASSED_WINDOW,
                Appeal.registered_at <= now - timedelta(days=REGISTRATION_DAYS) + horizon,
            )
        )
    ).all()
    received = (
        await session.scalars(
            select(Appeal).where(
                Appeal.status == AppealStatus.RECEIVED.value,
                Appeal.registration_due_at > now - PASSED_WINDOW,
                Appeal.registration_due_at <= now + horizon,
            )
        )
    ).all()
    answer = (
        await session.scalars(
            select(Appeal).where(
                Appeal.status.in_(OPEN), Appeal.due_at > now - PASSED_WINDOW, Appeal.due_at <= now + horizon
            )
        )
    ).all()
    return (
        [(REGISTRATION, a) for a in registration]
        + [(REGISTRATION, a) for a in received]
        + [(ANSWER, a) for a in answer]
    )


def deadline_of(kind: str, appeal: Appeal) -> datetime:
    if kind == REGISTRATION and appeal.status == AppealStatus.RECEIVED and appeal.registration_due_at:
        return appeal.registration_due_at
    return appeal.registered_at + timedelta(days=REGISTRATION_DAYS) if kind == REGISTRATION else appeal.due_at


async def scan(
    session: AsyncSession, ctx: NoticeContext, policy: ReminderPolicy, now: datetime
) -> ReminderResult:
    result = ReminderResult()
    # Calendar days in the local zone: one extra day of horizon covers a deadline late "tomorrow".
    horizon = timedelta(days=max(policy.days_before, default=0) + 1)
    # Registration reminders only for thresholds inside its 3 days (3 days before is receipt itself).
    registration_days = tuple(d for d in policy.days_before if d < REGISTRATION_DAYS)
    clerks = await access.clerk_map(session)
    # Appeals share few topics and departments: look each up once per run.
    departments: dict[int | None, int | None] = {}
    recipients: dict[int | None, list[User]] = {}
    for kind, appeal in await _candidates(session, now, horizon):
        deadline = deadline_of(kind, appeal)
        days = registration_days if kind == REGISTRATION else policy.days_before
        threshold = _threshold(ctx, deadline, now, days)
        if threshold is None:
            continue
        if appeal.category_id not in departments:
            departments[appeal.category_id] = await access.department_of(session, appeal)
        department_id = departments[appeal.category_id]
        if department_id not in recipients:
            recipients[department_id] = await staff_alerts.clerks_of_department(
                session, department_id, clerks
            )
        targets = recipients[department_id]
        waiting = kind == REGISTRATION and appeal.status == AppealStatus.RECEIVED
        headline = HEADLINES[(RECEIVED if waiting else kind, threshold == "overdue")]
        key = f"appeal-remind:{appeal.id}:{kind}:{int(deadline.timestamp())}:{threshold}"
        added = await staff_alerts.remind(session, ctx, appeal, targets, headline=headline, key=key)
        if added:
            result.appeals += 1
            result.messages += added
    await session.flush()
    return result
