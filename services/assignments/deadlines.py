"""Deadline nudges and overdue escalation, run by the scheduler with an explicit clock.

Idempotency lives in the database: a ``deadline_nudges`` row per (assignment, kind, deadline) and
outbox dedup keys are written in the same transaction as the notice, so a restart, a second
instance of the job or a missed run never sends a nudge twice. Nudges missed while the service was
down (or held back by quiet hours) are coalesced: only the most urgent one is sent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, DeadlineNudge, Department
from models.enums import OPEN_ASSIGNMENT_STATUSES
from services import outbox
from services.assignments.notices import Recipient, card_text, executor_buttons, recipients
from services.html_cut import cut_plain
from services.notify import NoticeContext, Translator, html_escape

OPEN = [s.value for s in OPEN_ASSIGNMENT_STATUSES]
DEADLINE_KIND = "deadline"
ESCALATION_LIST_LIMIT = 20


@dataclass(frozen=True)
class NudgePolicy:
    offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    # A deadline missed longer ago than this gets no "deadline passed" notice, only escalation.
    deadline_notice_window: timedelta = timedelta(hours=24)
    batch: int = field(default=500)

    def is_quiet(self, local: datetime) -> bool:
        now = local.time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= now < self.quiet_end
        return now >= self.quiet_start or now < self.quiet_end


@dataclass
class ScanResult:
    reminders: int = 0
    deadline_notices: int = 0
    quiet: bool = False


def _kind(offset: timedelta) -> str:
    return f"before_{int(offset.total_seconds() // 60)}m"


def _not_nudged(kind: str):  # type: ignore[no-untyped-def]
    return ~exists().where(
        and_(
            DeadlineNudge.assignment_id == Assignment.id,
            DeadlineNudge.kind == kind,
            DeadlineNudge.deadline == Assignment.deadline,
        )
    )


def _left(t: Translator, delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 1)
    if minutes >= 60:
        return t("%(h)s h %(m)s min", h=minutes // 60, m=minutes % 60)
    return t("%(m)s min", m=minutes)


class _Cards:
    """A scan's card texts: the executor and the controller of one assignment, in one language, get
    the same card, drawn once; one translator per language."""

    def __init__(self, ctx: NoticeContext, people: dict[int, Recipient]) -> None:
        self.ctx, self.people = ctx, people
        self._texts: dict[tuple[int, str, str], str] = {}
        self._translators: dict[str, Translator] = {}

    def translator(self, recipient: Recipient) -> Translator:
        locale = self.ctx.locale_of(recipient)
        found = self._translators.get(locale)
        if found is None:
            found = self._translators[locale] = Translator(locale)
        return found

    def text(self, a: Assignment, t: Translator, headline: str) -> str:
        key = (a.id, t.locale, headline)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = card_text(a, t, self.ctx, self.people, headline)
        return found


async def scan(session: AsyncSession, ctx: NoticeContext, policy: NudgePolicy, now: datetime) -> ScanResult:
    result = ScanResult()
    messages: list[outbox.OutgoingMessage] = []
    nudges: list[dict[str, object]] = []
    if policy.is_quiet(ctx.local(now)):
        result.quiet = True
        return result
    # Reminders before the deadline, most urgent offset wins when several are due at once.
    due_kinds: dict[int, list[str]] = defaultdict(list)
    assignments: dict[int, Assignment] = {}
    for offset in sorted(policy.offsets, reverse=True):
        kind = _kind(offset)
        rows = (
            await session.scalars(
                select(Assignment)
                .where(
                    Assignment.status.in_(OPEN),
                    Assignment.deadline > now,
                    Assignment.deadline <= now + offset,
                    _not_nudged(kind),
                )
                .order_by(Assignment.deadline)
                .limit(policy.batch)
            )
        ).all()
        for a in rows:
            assignments[a.id] = a
            due_kinds[a.id].append(kind)
    # The deadline itself: executor and control learn it has passed.
    passed = (
        await session.scalars(
            select(Assignment)
            .where(
                Assignment.status.in_(OPEN),
                Assignment.deadline <= now,
                Assignment.deadline > now - policy.deadline_notice_window,
                _not_nudged(DEADLINE_KIND),
            )
            .order_by(Assignment.deadline)
            .limit(policy.batch)
        )
    ).all()
    # Everyone both parts need, read once.
    people = await recipients(
        session,
        [a.executor_id for a in assignments.values()]
        + [u for a in passed for u in (a.executor_id, a.controller_id, a.author_id)],
    )
    cards = _Cards(ctx, people)
    for a in assignments.values():
        for kind in due_kinds[a.id]:
            nudges.append({"assignment_id": a.id, "kind": kind, "deadline": a.deadline, "sent_at": now})
        recipient = people.get(a.executor_id or 0)
        if recipient is None or recipient.telegram_id is None:
            continue
        t = cards.translator(recipient)
        headline = t("⏰ Deadline in %(left)s", left=_left(t, a.deadline - now))
        messages.append(
            outbox.text_message(
                recipient.telegram_id,
                cards.text(a, t, headline),
                reply_markup=executor_buttons(a, t),
                dedup_key=f"nudge:{a.id}:{due_kinds[a.id][-1]}:{int(a.deadline.timestamp())}",
            )
        )
        result.reminders += 1
    for a in passed:
        nudges.append({"assignment_id": a.id, "kind": DEADLINE_KIND, "deadline": a.deadline, "sent_at": now})
        for uid in dict.fromkeys([a.executor_id, a.controller_id]):
            recipient = people.get(uid or 0)
            if recipient is None or recipient.telegram_id is None:
                continue
            t = cards.translator(recipient)
            buttons = executor_buttons(a, t) if uid == a.executor_id else None
            messages.append(
                outbox.text_message(
                    recipient.telegram_id,
                    cards.text(a, t, t("🔴 The deadline has passed")),
                    reply_markup=buttons if buttons and buttons["inline_keyboard"] else None,
                    dedup_key=f"nudge:{a.id}:{DEADLINE_KIND}:{int(a.deadline.timestamp())}:{recipient.id}",
                )
            )
        result.deadline_notices += 1
    # Multi-row inserts for the nudge rows and their notices, in one transaction (a Core insert: the
    # rows need no ORM objects).
    if nudges:
        await session.execute(insert(DeadlineNudge.__table__), nudges)
    await outbox.enqueue_many(session, messages)
    await session.flush()
    return result


async def escalate_overdue(session: AsyncSession, ctx: NoticeContext, now: datetime) -> int:
    """One message a day per controller and department head listing their overdue assignments."""
    overdue = (
        await session.execute(
            select(Assignment, Department.head_id)
            .outerjoin(Department, Department.id == Assignment.department_id)
            .where(Assignment.status.in_(OPEN), Assignment.deadline < now)
            .order_by(Assignment.deadline)
        )
    ).all()
    by_recipient: dict[int, list[Assignment]] = defaultdict(list)
    for a, head_id in overdue:
        for uid in {a.controller_id, head_id} - {None}:
            by_recipient[uid].append(a)  # type: ignore[index]
    people = await recipients(session, list(by_recipient) + [a.executor_id for a, _h in overdue])
    day = ctx.local(now).date().isoformat()
    sent = 0
    for uid, items in by_recipient.items():
        recipient = people.get(uid)
        if recipient is None or recipient.telegram_id is None or not recipient.is_active:
            continue
        t = Translator(ctx.locale_of(recipient))
        headline = t("🔴 Overdue assignments: %(n)s", n=len(items))
        lines = [f"<b>{headline}</b>", ""]
        for a in items[:ESCALATION_LIST_LIMIT]:
            executor = people.get(a.executor_id or 0)
            days = max((now - a.deadline).days, 0)
            lines.append(
                t(
                    "№%(id)s %(title)s — %(who)s, overdue by %(days)s d.",
                    id=a.id,
                    title=cut_plain(a.title, 80),
                    who=html_escape(executor.full_name if executor else None),
                    days=days,
                )
            )
        if len(items) > ESCALATION_LIST_LIMIT:
            lines.append(t("…and %(n)s more", n=len(items) - ESCALATION_LIST_LIMIT))
        keyboard = {
            "inline_keyboard": [
                [{"text": t("Open №%(id)s", id=a.id), "callback_data": f"asg:open:{a.id}"}] for a in items[:5]
            ]
        }
        if await outbox.enqueue(
            session,
            outbox.text_message(
                recipient.telegram_id,
                "\n".join(lines),
                reply_markup=keyboard,
                dedup_key=f"overdue:{uid}:{day}",
            ),
        ):
            sent += 1
    return sent
