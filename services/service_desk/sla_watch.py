"""The scheduler's watch over SLA clocks: warnings, escalations and the silent confirmation.

* **Warning**: once 80 % of a target's working time is used up (``sla.warn_moment``, pauses
  counted) and the clock still runs: reaction while nobody answered, resolution while not
  resolved. It goes to the assignee, or to the service's people when nobody took the request.
* **Escalation**: once the due moment has passed: to the assignee (or the service's people) and
  to the topic's lead (without one: the head of the service's department).
* A request waiting for the requester is not warned: its clocks are paused.
* Each notice is queued once per request, kind and due moment: the outbox dedup key names all
  three (and the chat), so a rerun or a restart queues nothing twice, and a due moment moved by a
  pause warns afresh.
* **Auto-close**: a resolved request the requester neither confirmed nor reopened within
  ``confirm_days`` working days is closed as confirmed (``resolution.confirm(auto=True)``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, ServiceRequest, ServiceTopic, User
from models.enums import OPEN_SERVICE_STATUSES, ServiceStatus
from services import outbox
from services.errors import DomainError
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard
from services.service_desk import notices, resolution, sla
from services.telegram_accounts import staff_chats
from services.work_calendar import store as calendar_store
from services.work_calendar.clock import WorkCalendar

log = logging.getLogger(__name__)

DEFAULT_CONFIRM_DAYS = 3
WATCH_PRIORITY = 20  # people who must act come before broadcasts
KINDS = ("reaction", "resolution")

TEXTS = {
    ("reaction", "warn"): N_(
        "⏳ Request %(number)s has not been answered yet: the reaction time runs out at %(due)s."
    ),
    ("resolution", "warn"): N_(
        "⏳ Request %(number)s is not resolved yet: the resolution time runs out at %(due)s."
    ),
    ("reaction", "breach"): N_("🔥 Request %(number)s is overdue: nobody answered it by %(due)s."),
    ("resolution", "breach"): N_("🔥 Request %(number)s is overdue: it was to be resolved by %(due)s."),
}


@dataclass(slots=True)
class WatchResult:
    warnings: int = 0  # (request, kind) pairs past their warning moment this run
    escalations: int = 0  # (request, kind) pairs past their due moment
    queued: int = 0  # new outbox messages (0 on a rerun)
    closed: int = 0  # resolved requests closed without the requester's word


def _due(request: ServiceRequest, kind: str) -> datetime | None:
    return request.reaction_due_at if kind == "reaction" else request.resolution_due_at


def _running(request: ServiceRequest, kind: str) -> bool:
    if request.paused_at is not None or request.status not in OPEN_SERVICE_STATUSES:
        return False
    return request.first_response_at is None if kind == "reaction" else True


async def _service_people(session: AsyncSession, request: ServiceRequest) -> list[tuple[User, int]]:
    """The service's members and its head (nobody has taken the request yet)."""
    if request.department_id is None:
        return []
    head = select(Department.head_id).where(Department.id == request.department_id)
    return await staff_chats(
        session, or_(User.department_id == request.department_id, User.id.in_(head.scalar_subquery()))
    )


async def _lead_id(session: AsyncSession, request: ServiceRequest) -> int | None:
    if request.topic_id is not None:
        topic = await session.get(ServiceTopic, request.topic_id)
        if topic is not None and topic.lead_id is not None:
            return topic.lead_id
    if request.department_id is not None:
        department = await session.get(Department, request.department_id)
        if department is not None:
            return department.head_id
    return None


async def recipients(session: AsyncSession, request: ServiceRequest, phase: str) -> list[tuple[User, int]]:
    """Who hears of a warning (``phase`` "warn") or an escalation ("breach"), with their chats."""
    if request.assignee_id is not None:
        people = await staff_chats(session, User.id == request.assignee_id)
    else:
        people = await _service_people(session, request)
    if phase == "breach":
        lead = await _lead_id(session, request)
        if lead is not None and all(u.id != lead for u, _ in people):
            people += await staff_chats(session, User.id == lead)
    return people


async def _notice(
    session: AsyncSession, ctx: NoticeContext, request: ServiceRequest, kind: str, phase: str, due: datetime
) -> int:
    assignee = await session.get(User, request.assignee_id) if request.assignee_id else None
    tag = int(due.timestamp())
    messages = []
    for user, chat_id in await recipients(session, request, phase):
        t = Translator(ctx.locale_of(user))
        lines = [
            t(TEXTS[(kind, phase)], number=request.number, due=ctx.format_dt(due)),
            f"<i>{html_escape(request.subject)}</i>",
        ]
        if phase == "breach":
            lines.append(
                t("Assignee: %(name)s", name=html_escape(assignee.full_name))
                if assignee is not None
                else t("Nobody has taken it yet.")
            )
        markup = inline_keyboard([[(t("Open the request"), notices.cb("open", request.id))]])
        key = f"sd:{request.id}:{kind}-{phase}:{tag}:{chat_id}"
        messages.append(outbox.text_message(chat_id, "\n".join(lines), reply_markup=markup, dedup_key=key))
    return await outbox.enqueue_many(session, messages, priority=WATCH_PRIORITY)


def confirm_deadline(calendar: WorkCalendar, resolved_at: datetime, days: int) -> datetime:
    """The moment a resolved request closes by itself: the same local time ``days`` working days on."""
    local = resolved_at.astimezone(calendar.tz)
    day = calendar.add_working_days(local.date() + timedelta(days=1), max(days - 1, 0))
    return local.replace(year=day.year, month=day.month, day=day.day).astimezone(resolved_at.tzinfo)


async def _auto_close(
    session: AsyncSession, ctx: NoticeContext, calendar: WorkCalendar, now: datetime, days: int
) -> int:
    rows = (
        await session.scalars(
            select(ServiceRequest.id).where(
                ServiceRequest.status == ServiceStatus.RESOLVED,
                # N working days are at least N calendar days: older ones are the only candidates.
                ServiceRequest.resolved_at <= now - timedelta(days=days),
            )
        )
    ).all()
    closed = 0
    for request_id in rows:
        request = await session.get(ServiceRequest, request_id)
        if request is None or request.resolved_at is None:
            continue
        if confirm_deadline(calendar, request.resolved_at, days) > now:
            continue
        try:
            await resolution.confirm(session, None, request.id, ctx=ctx, now=now, auto=True)
        except DomainError as exc:  # changed meanwhile: the next run sees its new state
            log.info("auto-close of request %s skipped: %s", request.id, exc)
            continue
        closed += 1
    return closed


async def scan(
    session: AsyncSession, ctx: NoticeContext, now: datetime, *, confirm_days: int = DEFAULT_CONFIRM_DAYS
) -> WatchResult:
    """One pass over the open requests; the caller commits."""
    result = WatchResult()
    calendar = await calendar_store.load(session, ctx.tz)
    open_requests = (
        await session.scalars(
            select(ServiceRequest)
            .where(
                ServiceRequest.status.in_([s.value for s in OPEN_SERVICE_STATUSES]),
                ServiceRequest.paused_at.is_(None),
            )
            .order_by(ServiceRequest.id)
        )
    ).all()
    for request in open_requests:
        for kind in KINDS:
            due = _due(request, kind)
            if due is None or not _running(request, kind):
                continue
            if now >= due:
                result.escalations += 1
                result.queued += await _notice(session, ctx, request, kind, "breach", due)
                continue
            warn = sla.warn_moment(request, calendar, kind)
            if warn is not None and now >= warn:
                result.warnings += 1
                result.queued += await _notice(session, ctx, request, kind, "warn", due)
    result.closed = await _auto_close(session, ctx, calendar, now, confirm_days)
    return result
