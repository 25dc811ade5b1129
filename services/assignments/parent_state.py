"""The state of a multi-point assignment (резолюция with пункты) follows its points.

A parent is an assignment that has points (assignments whose ``parent_id`` names it, numbered by
``point_no`` 1..n). It has no executor of its own, and its state is never set by a person except by
cancelling it:

* it is «new» until any point is acknowledged (or moved further), then «in progress»;
* a point returned for rework keeps the parent «in progress» (the card shows the return);
* when every point that is not cancelled is done, the parent becomes «done» by itself: ``done_at``
  is the last point's acceptance, the change is audited as a system transition and the controller
  is told once;
* when every point is cancelled, the parent is cancelled;
* cancelling the parent cancels its open points with the same reason.

This module imports nothing of :mod:`services.assignments.commands`, which calls :func:`sync` after
each point's transition and :func:`cascade_cancel` after the parent's cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, User, utcnow
from models.enums import AssignmentStatus as S
from services import outbox
from services.assignments import notices
from services.audit import Actor, record
from services.errors import InvalidInput
from services.notify import N_, NoticeContext, Translator, html_escape

SYSTEM = Actor.system("points")
CLOSED = frozenset({S.DONE, S.CANCELLED})
STARTED = frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.ON_REVIEW, S.RETURNED, S.DONE})
PARENT_ACTS_ON_POINTS = "The state of an assignment with points follows its points: act on the points."


async def points_of(session: AsyncSession, parent_id: int) -> list[Assignment]:
    query = select(Assignment).where(Assignment.parent_id == parent_id).order_by(Assignment.point_no)
    return list((await session.scalars(query)).all())


async def is_parent(session: AsyncSession, assignment: Assignment) -> bool:
    if assignment.parent_id is not None:
        return False
    found = await session.scalar(select(Assignment.id).where(Assignment.parent_id == assignment.id).limit(1))
    return found is not None


async def refuse_direct(session: AsyncSession, assignment: Assignment, action: str) -> None:
    """A parent is only cancelled by hand; submitting, accepting, reassigning it is refused."""
    if action != "cancel" and await is_parent(session, assignment):
        raise InvalidInput(PARENT_ACTS_ON_POINTS)


def _target(parent: Assignment, points: list[Assignment]) -> S | None:
    live = [p for p in points if p.status != S.CANCELLED]
    if not points:
        return None
    if not live:
        return S.CANCELLED
    if all(p.status == S.DONE for p in live):
        return S.DONE
    if parent.status == S.NEW and any(p.status in STARTED for p in points):
        return S.IN_PROGRESS
    return None


async def sync(
    session: AsyncSession,
    point: Assignment,
    *,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment | None:
    """Bring the parent of ``point`` into line with its points; the parent when it changed."""
    if point.parent_id is None:
        return None
    parent = await session.get(Assignment, point.parent_id)
    if parent is None or S(parent.status) in CLOSED:
        return None
    points = await points_of(session, parent.id)
    target = _target(parent, points)
    if target is None or target == parent.status:
        return None
    now = now or utcnow()
    old = parent.status
    parent.status = target
    parent.updated_at = now
    if target is S.IN_PROGRESS:
        parent.acknowledged_at = now
    elif target is S.DONE:
        parent.done_at = max((p.done_at for p in points if p.done_at is not None), default=now)
    else:
        parent.cancelled_at = now
    record(
        session,
        SYSTEM,
        "assignment",
        parent.id,
        {S.IN_PROGRESS: "points_started", S.DONE: "points_done", S.CANCELLED: "points_cancelled"}[target],
        old_state=old,
        new_state=target,
        data={"point_id": point.id},
    )
    await session.flush()
    if notify is not None and target in (S.DONE, S.CANCELLED):
        await _tell_control(session, notify, parent, points, target)
    return parent


async def _tell_control(
    session: AsyncSession,
    ctx: NoticeContext,
    parent: Assignment,
    points: list[Assignment],
    target: S,
) -> None:
    headline = (
        N_("All points are done: the assignment is done")
        if target is S.DONE
        else N_("All points are cancelled: the assignment is cancelled")
    )
    for uid in dict.fromkeys([parent.controller_id, parent.author_id]):
        person = await session.get(User, uid) if uid is not None else None
        if person is None or person.telegram_id is None or not person.is_active:
            continue
        t = Translator(ctx.locale_of(person))
        lines = [f"<b>{html_escape(t(headline))}</b>", ""]
        lines.append(t("Assignment №%(id)s", id=parent.id) + f": <b>{html_escape(parent.title)}</b>")
        lines += progress_lines(points, t, ctx, now=utcnow())
        buttons = notices.inline_keyboard(
            [[(t("Open №%(id)s", id=parent.id), notices.cb("open", parent.id))]]
        )
        # The key names the outcome, not the event: the parent closes at most once.
        await outbox.enqueue(
            session,
            outbox.text_message(
                person.telegram_id,
                "\n".join(lines),
                reply_markup=buttons,
                dedup_key=f"asg:{parent.id}:{target.value}:{person.id}",
            ),
        )


async def cascade_cancel(
    session: AsyncSession,
    parent: Assignment,
    user: User,
    reason: str | None,
    *,
    now: datetime,
    notify: NoticeContext | None = None,
) -> list[Assignment]:
    """The parent was cancelled: its open points follow, each audited and its executor told."""
    cancelled = []
    for point in await points_of(session, parent.id):
        if S(point.status) in CLOSED:
            continue
        old = point.status
        point.status = S.CANCELLED
        point.cancelled_at = now
        point.updated_at = now
        event = record(
            session,
            Actor(user_id=user.id, telegram_id=user.telegram_id),
            "assignment",
            point.id,
            "cancel",
            old_state=old,
            new_state=S.CANCELLED,
            reason=reason,
            data={"parent_id": parent.id},
        )
        await session.flush()
        if notify is not None:
            await notices.notify_transition(
                session, notify, point, "cancel", event.id, actor=user, reason=reason
            )
        cancelled.append(point)
    return cancelled


# -- progress, as the cards and the panel show it -----------------------------------------------------

STATUS_EMOJI = {
    S.NEW: "🆕",
    S.ACKNOWLEDGED: "👀",
    S.IN_PROGRESS: "🔧",
    S.ON_REVIEW: "📝",
    S.RETURNED: "↩️",
    S.DONE: "✅",
    S.DECLINED: "⛔",
    S.CANCELLED: "🚫",
}


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int  # points not cancelled


def progress(points: list[Assignment]) -> Progress:
    live = [p for p in points if p.status != S.CANCELLED]
    return Progress(done=sum(p.status == S.DONE for p in live), total=len(live))


def overdue(point: Assignment, now: datetime) -> bool:
    return point.deadline < now and S(point.status) not in CLOSED


def progress_lines(
    points: list[Assignment],
    t: Translator,
    ctx: NoticeContext,
    *,
    now: datetime,
    names: dict[int, str] | None = None,
) -> list[str]:
    """«Points: 2/3 done», then one line per point: number, status emoji, executor, deadline, marks."""
    if not points:
        return []
    p = progress(points)
    lines = ["", "<b>" + t("Points: %(done)s/%(total)s done", done=p.done, total=p.total) + "</b>"]
    for point in points:
        marks = ""
        if overdue(point, now):
            marks += " ⚠️"
        if point.returns_count and S(point.status) not in CLOSED:
            marks += " ↩️"
        who = (names or {}).get(point.executor_id or 0) or "—"
        lines.append(
            f"{STATUS_EMOJI[S(point.status)]} {point.point_no}. {html_escape(point.title)} — "
            + t("%(who)s, due %(when)s", who=html_escape(who), when=ctx.format_dt(point.deadline))
            + marks
        )
    return lines


async def executor_names(session: AsyncSession, points: list[Assignment]) -> dict[int, str]:
    ids = {p.executor_id for p in points if p.executor_id is not None}
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {r.id: r.full_name for r in rows}


async def point_labels(session: AsyncSession, items: list[Assignment]) -> dict[int, tuple[int, int, str]]:
    """For the points among ``items``: (number, how many points, the parent's title)."""
    parent_ids = {a.parent_id for a in items if a.parent_id is not None and a.point_no is not None}
    if not parent_ids:
        return {}
    titles = dict(
        (
            await session.execute(
                select(Assignment.id, Assignment.title).where(Assignment.id.in_(parent_ids))
            )
        ).all()
    )
    counts = dict(
        (
            await session.execute(
                select(Assignment.parent_id, func.count())
                .where(Assignment.parent_id.in_(parent_ids))
                .group_by(Assignment.parent_id)
            )
        ).all()
    )
    return {
        a.id: (a.point_no or 0, counts.get(a.parent_id, 0), titles.get(a.parent_id, ""))
        for a in items
        if a.parent_id in titles and a.point_no is not None
    }


async def change_deadline_check(
    session: AsyncSession, assignment: Assignment, new_deadline: datetime
) -> None:
    """A parent's deadline stays no earlier than its open points'; a point's no later than its parent's."""
    if assignment.parent_id is not None:
        parent = await session.get(Assignment, assignment.parent_id)
        if parent is not None and new_deadline > parent.deadline:
            raise InvalidInput("The deadline of a point cannot be later than the assignment's.")
        return
    latest = await session.scalar(
        select(func.max(Assignment.deadline)).where(
            Assignment.parent_id == assignment.id,
            Assignment.status.not_in([s.value for s in CLOSED]),
        )
    )
    if latest is not None and new_deadline < latest:
        raise InvalidInput("The deadline of a point cannot be later than the assignment's.")
