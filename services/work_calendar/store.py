"""The calendar as the administration set it: loaded from ``work_hours`` and ``calendar_days``."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CalendarDay, WorkHours
from models.enums import CalendarDayKind
from services.work_calendar.clock import DEFAULT_WEEK, DayRule, WorkCalendar, parse_hhmm


async def week(session: AsyncSession) -> dict[int, tuple[time, time]]:
    """Hours per weekday; with no rows at all, Monday to Friday 09:00–18:00."""
    rows = (await session.scalars(select(WorkHours))).all()
    if not rows:
        return dict(DEFAULT_WEEK)
    return {r.weekday: (parse_hhmm(r.starts), parse_hhmm(r.ends)) for r in rows}


async def load(session: AsyncSession, tz: ZoneInfo) -> WorkCalendar:
    rules: dict = {}
    for row in (await session.scalars(select(CalendarDay))).all():
        hours = (parse_hhmm(row.starts), parse_hhmm(row.ends)) if row.starts and row.ends else None
        rules[row.day] = DayRule(CalendarDayKind(row.kind), hours, row.note)
    return WorkCalendar(tz=tz, week=await week(session), rules=rules)
