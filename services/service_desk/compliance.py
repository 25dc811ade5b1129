"""SLA compliance over a period (requests filed in ``[start, end)``), per topic, assignee or month.

A target counts once its clock has stopped (``reaction_met`` / ``resolution_met`` fixed) or when
it is breached and still open (past due, not paused): that is a miss already. A request whose clock
still runs within its target is in neither the numerator nor the denominator.

Counts and ratings are grouped in SQL (by topic or assignee); months are the organisation's local
months, and the average working minutes need the calendar, so those two are folded in Python over
one lean row query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceRequest, ServiceTopic, User
from models.enums import OPEN_SERVICE_STATUSES, ServiceStatus
from services.work_calendar.clock import WorkCalendar

TOPIC, ASSIGNEE, MONTH = "topic", "assignee", "month"
GROUPS = (TOPIC, ASSIGNEE, MONTH)
OPEN = [s.value for s in OPEN_SERVICE_STATUSES]


@dataclass(slots=True)
class Row:
    key: Any  # topic id, assignee id, "YYYY-MM"; None: no topic / nobody
    label: str
    requests: int = 0
    reaction_met: int = 0
    reaction_counted: int = 0
    resolution_met: int = 0
    resolution_counted: int = 0
    react_minutes_total: int = 0
    react_count: int = 0
    resolve_minutes_total: int = 0
    resolve_count: int = 0
    rating_total: int = 0
    rating_count: int = 0

    @property
    def reaction_pct(self) -> float | None:
        return _pct(self.reaction_met, self.reaction_counted)

    @property
    def resolution_pct(self) -> float | None:
        return _pct(self.resolution_met, self.resolution_counted)

    @property
    def avg_react_minutes(self) -> float | None:
        return self.react_minutes_total / self.react_count if self.react_count else None

    @property
    def avg_resolve_minutes(self) -> float | None:
        return self.resolve_minutes_total / self.resolve_count if self.resolve_count else None

    @property
    def avg_rating(self) -> float | None:
        return self.rating_total / self.rating_count if self.rating_count else None


def _pct(met: int, counted: int) -> float | None:
    return round(100.0 * met / counted, 1) if counted else None


def _breached(due: Any, stopped: Any, now: datetime) -> Any:
    """Past due with the clock still running: a miss already."""
    return and_(
        ServiceRequest.status.in_(OPEN),
        ServiceRequest.paused_at.is_(None),
        stopped,
        due.is_not(None),
        due < now,
    )


def _met_case(met: Any) -> Any:
    return func.sum(case((met == true(), 1), else_=0))


def _counted_case(met: Any, breached: Any) -> Any:
    return func.sum(case((or_(met.is_not(None), breached), 1), else_=0))


async def _sql_groups(session: AsyncSession, column: Any, where: list[Any], now: datetime) -> dict[Any, Row]:
    r = ServiceRequest
    reaction_breach = _breached(r.reaction_due_at, r.first_response_at.is_(None), now)
    resolution_breach = _breached(r.resolution_due_at, true(), now)
    query = (
        select(
            column,
            func.count(),
            _met_case(r.reaction_met),
            _counted_case(r.reaction_met, reaction_breach),
            _met_case(r.resolution_met),
            _counted_case(r.resolution_met, resolution_breach),
            func.coalesce(func.sum(r.rating), 0),
            func.count(r.rating),
        )
        .where(*where)
        .group_by(column)
    )
    rows: dict[Any, Row] = {}
    for key, n, rm, rc, sm, sc, rating_sum, rating_n in (await session.execute(query)).all():
        rows[key] = Row(key, "", n, int(rm or 0), int(rc or 0), int(sm or 0), int(sc or 0))
        rows[key].rating_total, rows[key].rating_count = int(rating_sum or 0), int(rating_n or 0)
    return rows


def _minutes(row: Row, calendar: WorkCalendar, req: Any) -> None:
    """Working minutes to react and to resolve (pauses left out of the resolution time)."""
    if req.first_response_at is not None:
        row.react_minutes_total += calendar.working_minutes(req.created_at, req.first_response_at)
        row.react_count += 1
    if req.resolved_at is not None and req.status in (ServiceStatus.RESOLVED, ServiceStatus.CLOSED):
        spent = calendar.working_minutes(req.created_at, req.resolved_at) - (req.paused_minutes or 0)
        row.resolve_minutes_total += max(spent, 0)
        row.resolve_count += 1


def _month_key(calendar: WorkCalendar, moment: datetime) -> str:
    return moment.astimezone(calendar.tz).strftime("%Y-%m")


async def compliance(
    session: AsyncSession,
    calendar: WorkCalendar,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    group: str = TOPIC,
    locale: str = "ru",
) -> list[Row]:
    """Rows per ``group`` (topic, assignee, month) over requests filed in ``[start, end)``, sorted
    by label; cancelled requests are left out (nobody was to serve them)."""
    if group not in GROUPS:
        raise ValueError(group)
    r = ServiceRequest
    where = [r.created_at >= start, r.created_at < end, r.status != ServiceStatus.CANCELLED]
    if group == MONTH:
        rows: dict[Any, Row] = {}
        for req in (await session.execute(select(*_LEAN).where(*where))).all():
            key = _month_key(calendar, req.created_at)
            row = rows.setdefault(key, Row(key, key))
            _fold(row, req, now)
            _minutes(row, calendar, req)
    else:
        column = r.topic_id if group == TOPIC else r.assignee_id
        rows = await _sql_groups(session, column, where, now)
        # Counts and ratings came from SQL: Python only reads the requests with a time to average.
        timed = or_(r.first_response_at.is_not(None), r.resolved_at.is_not(None))
        for req in (await session.execute(select(*_LEAN[:7]).where(*where, timed))).all():
            _minutes(rows[req.topic_id if group == TOPIC else req.assignee_id], calendar, req)
        await _label(session, rows, group, locale)
    return sorted(rows.values(), key=lambda x: (x.label == "", x.label))


# The columns the Python folds read; the first seven are all the working-minute averages need.
_LEAN = (
    ServiceRequest.topic_id,
    ServiceRequest.assignee_id,
    ServiceRequest.created_at,
    ServiceRequest.first_response_at,
    ServiceRequest.resolved_at,
    ServiceRequest.paused_minutes,
    ServiceRequest.status,
    ServiceRequest.reaction_met,
    ServiceRequest.resolution_met,
    ServiceRequest.reaction_due_at,
    ServiceRequest.resolution_due_at,
    ServiceRequest.paused_at,
    ServiceRequest.rating,
)


def _fold(row: Row, req: Any, now: datetime) -> None:
    """The month's counts, as the SQL of the other groupings counts them."""
    running = req.status in OPEN and req.paused_at is None
    row.requests += 1
    reaction_breach = running and req.first_response_at is None and req.reaction_due_at is not None
    reaction_breach = reaction_breach and req.reaction_due_at < now
    resolution_breach = running and req.resolution_due_at is not None and req.resolution_due_at < now
    row.reaction_met += req.reaction_met is True
    row.reaction_counted += req.reaction_met is not None or bool(reaction_breach)
    row.resolution_met += req.resolution_met is True
    row.resolution_counted += req.resolution_met is not None or bool(resolution_breach)
    if req.rating is not None:
        row.rating_total += req.rating
        row.rating_count += 1


async def _label(session: AsyncSession, rows: dict[Any, Row], group: str, locale: str) -> None:
    ids = [k for k in rows if k is not None]
    names: dict[int, str] = {}
    if ids and group == TOPIC:
        for topic in (await session.scalars(select(ServiceTopic).where(ServiceTopic.id.in_(ids)))).all():
            names[topic.id] = topic.name_en if locale == "en" else topic.name_ru
    elif ids:
        for user in (await session.scalars(select(User).where(User.id.in_(ids)))).all():
            names[user.id] = user.full_name
    for key, row in rows.items():
        row.label = names.get(key, "") if key is not None else ""


def total(rows: list[Row]) -> Row:
    """All rows added up (the «total» line)."""
    out = Row(None, "")
    for row in rows:
        for name in Row.__slots__:
            if name not in ("key", "label"):
                setattr(out, name, getattr(out, name) + getattr(row, name))
    return out


async def breached_open(session: AsyncSession, now: datetime) -> int:
    """Open requests past a due moment right now (not paused)."""
    r = ServiceRequest
    clause = or_(
        _breached(r.reaction_due_at, r.first_response_at.is_(None), now),
        _breached(r.resolution_due_at, true(), now),
    )
    return int(await session.scalar(select(func.count()).select_from(r).where(clause)) or 0)
