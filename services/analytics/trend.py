"""Done and done-on-time per local calendar day over a period, grouped in the database.

SQLite has no time zones: the zone's offset at the start of the period is applied (exact for zones
without daylight saving, such as Moscow's); PostgreSQL converts each timestamp in the named zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment
from models.enums import AssignmentStatus
from services.analytics.digest import TrendPoint
from services.analytics.kpi import ORGANISATION, Scope
from services.notify import NoticeContext


def _local_day(session: AsyncSession, ctx: NoticeContext, moment: datetime) -> Any:
    if session.bind.dialect.name == "sqlite":
        offset = ctx.local(moment).utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        return func.date(Assignment.done_at, f"{minutes:+d} minutes")
    return cast(func.timezone(str(ctx.tz), Assignment.done_at), Date)


async def period_trend(
    session: AsyncSession, ctx: NoticeContext, start: datetime, end: datetime, *, scope: Scope = ORGANISATION
) -> list[TrendPoint]:
    """One point per local day in ``[start, end)``, days without work included (zero)."""
    day = _local_day(session, ctx, start)
    on_time = case((Assignment.done_at <= Assignment.deadline, 1), else_=0)
    stmt = (
        select(day, func.count(), func.coalesce(func.sum(on_time), 0))
        .where(
            Assignment.done_at >= start, Assignment.done_at < end, Assignment.status == AssignmentStatus.DONE
        )
        .group_by(day)
    )
    if scope.department_id is not None:
        stmt = stmt.where(Assignment.department_id == scope.department_id)
    if scope.user_id is not None:
        stmt = stmt.where(Assignment.executor_id == scope.user_id)
    found: dict[date, tuple[int, int]] = {}
    for value, n, n_on_time in await session.execute(stmt):
        key = value if isinstance(value, date) else date.fromisoformat(str(value))
        found[key] = (n, int(n_on_time))
    first, last = ctx.local(start).date(), ctx.local(end - timedelta(microseconds=1)).date()
    points = []
    current = first
    while current <= last:
        done, good = found.get(current, (0, 0))
        points.append(TrendPoint(current, done, good))
        current += timedelta(days=1)
    return points


def weekly(points: list[TrendPoint]) -> list[TrendPoint]:
    """Sum daily points into weeks (labelled by their first day) for long periods."""
    weeks: list[TrendPoint] = []
    for p in points:
        if not weeks or (p.day - weeks[-1].day).days >= 7:
            weeks.append(TrendPoint(p.day))
        weeks[-1].done += p.done
        weeks[-1].on_time += p.on_time
    return weeks
