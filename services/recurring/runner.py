"""Creating the assignments of recurring rules when their day comes — exactly once.

For each occurrence whose scheduled day (after the holiday policy) and creation time have come, a
``RecurrenceRun`` row is inserted first; its unique key (rule, occurrence) lets only one process win,
whether the other is a parallel scheduler or the same one after a restart. The assignment is created
in the same transaction only when that insert succeeded, so there is never a run without its
assignment or an assignment twice. Each occurrence is its own transaction (committed here): one
rule's refusal (an executor who has left) never holds the others back.

Occurrences before the day the rule was created are not made up: a rule saved today with an old
start date begins today, not with a backlog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, ChecklistItem, RecurrenceRun, RecurringAssignment, User, utcnow
from services.assignments import commands
from services.audit import Actor, record
from services.errors import DomainError
from services.notify import N_, NoticeContext
from services.recurring import rules
from services.work_calendar import store
from services.work_calendar.clock import WorkCalendar, parse_hhmm

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    created: list[int] = field(default_factory=list)  # assignment ids
    skipped: int = 0  # occurrences on a day off with the «skip» policy
    failed: int = 0  # refused (e.g. the executor left): recorded with the reason, not retried


def deadline_for(rule: RecurringAssignment, day: date, calendar: WorkCalendar, now: datetime) -> datetime:
    """The end of the working day ``term_days`` (working or calendar) days after ``day``; when that is
    already past (a late run), counted from today instead."""
    today = now.astimezone(calendar.tz).date()
    for base in (day, max(day, today), calendar.next_working_day(max(day, today))):
        if rule.term_working:
            due_day = calendar.add_working_days(base, rule.term_days)
        else:
            due_day = base + timedelta(days=rule.term_days)
        deadline = calendar.end_of_working_day(due_day)
        if deadline > now:
            return deadline
    return calendar.end_of_working_day(calendar.next_working_day(today, include=False))


def due_occurrences(rule: RecurringAssignment, calendar: WorkCalendar, now: datetime) -> list[rules.Planned]:
    """The rule's occurrences whose scheduled day and creation time have come, from its creation day."""
    local_now = now.astimezone(calendar.tz)
    today = local_now.date()
    created = rule.created_at
    created_local = (created if created.tzinfo else created.replace(tzinfo=now.tzinfo)).astimezone(
        calendar.tz
    )
    first = max(rule.starts_on, created_local.date())
    moment = parse_hhmm(rule.create_at)
    found = []
    for item in rules.plan(
        rule.rrule, rule.starts_on, rule.until, rule.holiday_policy, calendar, first, today
    ):
        if item.occurrence < first:
            continue
        day = item.scheduled or item.occurrence
        if day < today or local_now.time() >= moment:
            found.append(item)
    return found


async def _create_one(
    session: AsyncSession,
    rule: RecurringAssignment,
    item: rules.Planned,
    calendar: WorkCalendar,
    ctx: NoticeContext,
    now: datetime,
    result: RunResult,
) -> None:
    run = RecurrenceRun(
        recurring_id=rule.id, occurrence=item.occurrence, scheduled_for=item.scheduled, created_at=now
    )
    session.add(run)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()  # another run took it: nothing of ours is in this transaction
        return
    actor = Actor.system("recurring")
    if item.scheduled is None:
        run.note = N_("Skipped: a day off.")
        record(
            session,
            actor,
            "recurring_assignment",
            rule.id,
            "skipped",
            data={"occurrence": str(item.occurrence)},
        )
        result.skipped += 1
        await session.commit()
        return
    author = await session.get(User, rule.author_id) if rule.author_id is not None else None
    data = commands.NewAssignment(
        title=rule.title,
        text=rule.text,
        deadline=deadline_for(rule, item.scheduled, calendar, now),
        executor_id=rule.executor_id,
        department_id=rule.department_id,
        controller_id=rule.controller_id,
        priority=rule.priority,
    )
    try:
        if author is None or not author.is_active:
            raise DomainError("The author of the recurring assignment is no longer active.")
        async with session.begin_nested():
            assignment = await commands.create(session, author, data, now=now, notify=ctx)
            await attach(session, assignment, rule.checklist, rule.checklist_required)
            assignment.recurring_id = rule.id
    except DomainError as exc:
        run.note = exc.message
        record(
            session,
            actor,
            "recurring_assignment",
            rule.id,
            "failed",
            reason=exc.message,
            data={"occurrence": str(item.occurrence)},
        )
        result.failed += 1
        await session.commit()
        log.warning("recurring %s on %s refused: %s", rule.id, item.occurrence, exc.message)
        return
    run.assignment_id = assignment.id
    record(
        session,
        actor,
        "recurring_assignment",
        rule.id,
        "run",
        data={
            "occurrence": str(item.occurrence),
            "scheduled": str(item.scheduled),
            "assignment_id": assignment.id,
        },
    )
    await session.commit()
    result.created.append(assignment.id)


async def attach(session: AsyncSession, assignment: Assignment, checklist: list, required: bool) -> None:
    """Copy a rule's or template's checklist onto a new assignment."""
    items = [str(text).strip() for text in checklist or [] if str(text).strip()]
    for position, text in enumerate(items):
        session.add(ChecklistItem(assignment_id=assignment.id, position=position, text=text[:500]))
    assignment.checklist_required = bool(required and items)
    await session.flush()


async def run_due(session: AsyncSession, ctx: NoticeContext, now: datetime | None = None) -> RunResult:
    """Create every due occurrence of every active rule; commits per occurrence (see the module)."""
    now = now or utcnow()
    result = RunResult()
    calendar = await store.load(session, ctx.tz)
    rule_ids = (
        await session.scalars(select(RecurringAssignment.id).where(RecurringAssignment.is_active.is_(True)))
    ).all()
    for rule_id in rule_ids:
        rule = await session.get(RecurringAssignment, rule_id)
        if rule is None or not rule.is_active:
            continue
        done = set(
            (
                await session.scalars(
                    select(RecurrenceRun.occurrence).where(RecurrenceRun.recurring_id == rule_id)
                )
            ).all()
        )
        try:
            due = due_occurrences(rule, calendar, now)
        except (ValueError, TypeError):
            log.warning("recurring %s: unreadable rule %r", rule_id, rule.rrule)
            continue
        for item in due:
            if item.occurrence in done:
                continue
            rule = await session.get(RecurringAssignment, rule_id)  # again: a rollback expires it
            if rule is None:
                break
            await _create_one(session, rule, item, calendar, ctx, now, result)
    return result
