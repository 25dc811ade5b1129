"""The daily digest for a manager (the whole organisation) or a department head (their department).

Built from data only; rendering to text and a chart is separate (``render_digest``, ``charts``) so the
same figures serve Telegram, the panel and the weekly spreadsheet. The day is the local calendar day
before ``now`` in the organisation's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Project, User
from models.enums import ProjectStatus
from services.analytics.digest_sections import (
    APPEALS,
    ASSIGNMENTS,
    OUTAGES,
    AppealFigures,
    OutageFigures,
    appeal_figures,
    appeal_lines,
    outage_figures,
    outage_lines,
)
from services.analytics.digest_sla import SERVICE_DESK, SlaFigures, sla_figures, sla_lines
from services.analytics.kpi import OPEN_STATES, ORGANISATION, AssignmentKpi, Scope, assignment_kpi
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard
from services.projects.progress import progress_of_many

TREND_DAYS = 14
TOP_OVERDUE = 5


@dataclass
class TrendPoint:
    day: date
    done: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.done if self.done else None


@dataclass
class OverdueItem:
    id: int
    title: str
    deadline: datetime
    executor: str | None


@dataclass
class Digest:
    day: date  # the local day the digest reports on
    scope: Scope
    yesterday: AssignmentKpi
    overdue_now: int
    due_today: int
    trend: list[TrendPoint] = field(default_factory=list)
    top_overdue: list[OverdueItem] = field(default_factory=list)
    projects: dict[str, list[str]] = field(default_factory=dict)  # status -> project names
    # What the reader's roles make theirs (``readers``): a section that is not theirs is left out,
    # not shown as zeros (a dispatcher's digest is about outages, not assignments).
    sections: frozenset[str] = frozenset({ASSIGNMENTS})
    appeals: AppealFigures | None = None
    outages: OutageFigures | None = None
    service_desk: SlaFigures | None = None


def _day_bounds(ctx: NoticeContext, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=ctx.tz)
    return start, start + timedelta(days=1)


def _scoped(stmt, scope: Scope):  # type: ignore[no-untyped-def]
    if scope.department_id is not None:
        stmt = stmt.where(Assignment.department_id == scope.department_id)
    if scope.user_id is not None:
        stmt = stmt.where(Assignment.executor_id == scope.user_id)
    return stmt


async def build_digest(
    session: AsyncSession,
    ctx: NoticeContext,
    *,
    now: datetime,
    scope: Scope = ORGANISATION,
    day: date | None = None,
    sections: frozenset[str] = frozenset({ASSIGNMENTS}),
    clerk_department_id: int | None = None,
) -> Digest:
    """The figures for the local ``day`` (yesterday by default; ``/stats`` asks for today so far):
    the ``sections`` asked for; appeals in the scope of a clerk of ``clerk_department_id`` (None: all)."""
    today = ctx.local(now).date()
    day = day or today - timedelta(days=1)
    start, end = _day_bounds(ctx, day)
    extra: dict[str, object] = {"sections": sections}
    if APPEALS in sections:
        extra["appeals"] = await appeal_figures(session, start, end, now, clerk_department_id)
    if OUTAGES in sections:
        extra["outages"] = await outage_figures(session, start, end)
    if SERVICE_DESK in sections:
        extra["service_desk"] = await sla_figures(session, ctx, end, now)
    if ASSIGNMENTS not in sections:
        return Digest(day=day, scope=scope, yesterday=AssignmentKpi(), overdue_now=0, due_today=0, **extra)  # type: ignore[arg-type]
    yesterday = await assignment_kpi(session, start, end, now=now, scope=scope)
    today_start, today_end = _day_bounds(ctx, today)
    due_today = await session.scalar(
        _scoped(
            select(func.count()).where(
                Assignment.status.in_(OPEN_STATES),
                Assignment.deadline >= max(today_start, now),
                Assignment.deadline < today_end,
            ),
            scope,
        )
    )
    digest = Digest(
        day=day,
        scope=scope,
        yesterday=yesterday,
        overdue_now=yesterday.overdue_now,
        due_today=due_today or 0,
        **extra,  # type: ignore[arg-type]
    )
    digest.trend = await _trend(session, ctx, day, scope)
    digest.top_overdue = await _top_overdue(session, now, scope)
    digest.projects = await _projects(session, now, today, scope)
    return digest


async def _projects(session: AsyncSession, now: datetime, today: date, scope: Scope) -> dict[str, list[str]]:
    """Open projects by derived status (the department's own, for a department head)."""
    query = select(Project).where(Project.status != ProjectStatus.DONE).order_by(Project.name, Project.id)
    if scope.department_id is not None:
        query = query.where(Project.department_id == scope.department_id)
    if scope.user_id is not None:
        return {}
    projects = list((await session.scalars(query)).all())
    by_status: dict[str, list[str]] = {}
    for progress in await progress_of_many(session, projects, today=today, now=now):
        by_status.setdefault(progress.status.value, []).append(progress.project.name)
    return by_status


async def _trend(session: AsyncSession, ctx: NoticeContext, last_day: date, scope: Scope) -> list[TrendPoint]:
    """Done and done-on-time per local day for the last ``TREND_DAYS`` days (a few thousand rows)."""
    first_day = last_day - timedelta(days=TREND_DAYS - 1)
    start, _ = _day_bounds(ctx, first_day)
    _, end = _day_bounds(ctx, last_day)
    points = {
        first_day + timedelta(days=i): TrendPoint(first_day + timedelta(days=i)) for i in range(TREND_DAYS)
    }
    rows = await session.execute(
        _scoped(
            select(Assignment.done_at, Assignment.deadline).where(
                Assignment.done_at >= start, Assignment.done_at < end, Assignment.status == "done"
            ),
            scope,
        )
    )
    for done_at, deadline in rows:
        point = points.get(ctx.local(done_at).date())
        if point is None:
            continue
        point.done += 1
        point.on_time += done_at <= deadline
    return list(points.values())


async def _top_overdue(session: AsyncSession, now: datetime, scope: Scope) -> list[OverdueItem]:
    rows = await session.execute(
        _scoped(
            select(Assignment.id, Assignment.title, Assignment.deadline, User.full_name)
            .outerjoin(User, User.id == Assignment.executor_id)
            .where(Assignment.status.in_(OPEN_STATES), Assignment.deadline < now),
            scope,
        )
        .order_by(Assignment.deadline, Assignment.id)
        .limit(TOP_OVERDUE)
    )
    return [OverdueItem(id=i, title=t, deadline=d, executor=name) for i, t, d, name in rows]


def _project_line(projects: dict[str, list[str]], t: Translator) -> str:
    def n(status: ProjectStatus) -> int:
        return len(projects.get(status.value, []))

    return t(
        N_("Projects: %(on_track)s on track, %(at_risk)s at risk, %(late)s late"),
        on_track=n(ProjectStatus.ON_TRACK),
        at_risk=n(ProjectStatus.AT_RISK),
        late=n(ProjectStatus.LATE),
    )


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def render_digest(
    digest: Digest, t: Translator, ctx: NoticeContext, *, heading: str, title: str | None = None
) -> tuple[str, dict]:
    """HTML text (under Telegram's 1024-char photo caption when possible) and the inline keyboard."""
    lines = [
        f"<b>{html_escape(heading)}</b>",
        title or t(N_("Daily digest for %(day)s"), day=digest.day.strftime("%d.%m.%Y")),
    ]
    buttons: list[list[tuple[str, str]]] = []
    if ASSIGNMENTS in digest.sections:
        _assignment_lines(digest, t, ctx, lines, buttons)
    if digest.appeals is not None:
        lines += ["", *appeal_lines(digest.appeals, t)]
    if digest.outages is not None:
        lines += ["", *outage_lines(digest.outages, t)]
    if digest.service_desk is not None:
        lines += ["", *sla_lines(digest.service_desk, t)]
    return "\n".join(lines), inline_keyboard(buttons)


def _assignment_lines(
    digest: Digest, t: Translator, ctx: NoticeContext, lines: list[str], buttons: list[list[tuple[str, str]]]
) -> None:
    k = digest.yesterday
    lines.append("")
    if digest.sections != {ASSIGNMENTS}:  # beside other sections, say whose figures these are
        lines.append(t(N_("<b>Assignments</b>")))
    lines += [
        t(N_("Received: %(n)s"), n=k.received),
        t(
            N_("Done: %(n)s, on time: %(on_time)s (%(rate)s)"),
            n=k.done,
            on_time=k.done_on_time,
            rate=_percent(k.on_time_rate),
        ),
        t(N_("Overdue now: %(n)s"), n=digest.overdue_now),
        t(N_("Due today: %(n)s"), n=digest.due_today),
    ]
    if digest.projects:
        lines += ["", _project_line(digest.projects, t)]
        for status, label in (
            (ProjectStatus.LATE, N_("Late: %(names)s")),
            (ProjectStatus.AT_RISK, N_("At risk: %(names)s")),
        ):
            names = digest.projects.get(status.value)
            if names:
                lines.append(
                    t(label, names=html_escape(", ".join(names[:5]) + (" …" if len(names) > 5 else "")))
                )
    if digest.top_overdue:
        lines += ["", t(N_("Most overdue:"))]
        for n, item in enumerate(digest.top_overdue, start=1):
            who = html_escape(item.executor) if item.executor else t(N_("no executor"))
            lines.append(
                t(
                    N_("%(n)s. %(title)s — due %(deadline)s, %(who)s"),
                    n=n,
                    title=html_escape(item.title[:80]),
                    deadline=ctx.format_dt(item.deadline),
                    who=who,
                )
            )
            buttons.append([(t(N_("Open #%(id)s"), id=item.id), f"asg:open:{item.id}")])
