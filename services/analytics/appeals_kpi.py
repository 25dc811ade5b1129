"""Appeal and outage KPI over a period ``[start, end)``.

- **registered**: appeals registered in the period, split by channel, category and correspondent,
  and by regime (547-FZ: 59-FZ appeal or «сообщение»);
- **answered**: appeals answered in the period; **answered in time**: of those, the ones answered no
  later than their (possibly extended) legal deadline;
- **overdue now**: appeals not yet answered, closed or rejected whose deadline has passed at ``now``;
- **outages by resource**: outages that began in the period and happened (active or resolved), with the
  total house-hours without supply (each house counted from the start, or from when it was added, to
  the restoration, its removal or ``now``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Correspondent
from models.enums import OPEN_APPEAL_STATUSES
from services.outages.summary import outage_log

TOP_CORRESPONDENTS = 10


@dataclass
class AppealKpi:
    registered: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_regime: dict[str, int] = field(default_factory=dict)
    by_category: dict[int | None, int] = field(default_factory=dict)
    top_correspondents: list[tuple[int, str, int]] = field(default_factory=list)  # (id, name, count)
    answered: int = 0
    answered_in_time: int = 0
    overdue_now: int = 0

    @property
    def in_time_rate(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None


async def appeal_kpi(session: AsyncSession, start: datetime, end: datetime, *, now: datetime) -> AppealKpi:
    kpi = AppealKpi()
    in_period = (Appeal.registered_at >= start, Appeal.registered_at < end)
    rows = await session.execute(
        select(Appeal.channel, Appeal.category_id, Appeal.regime, func.count())
        .where(*in_period)
        .group_by(Appeal.channel, Appeal.category_id, Appeal.regime)
    )
    by_category: dict[int | None, int] = defaultdict(int)
    by_channel: dict[str, int] = defaultdict(int)
    by_regime: dict[str, int] = defaultdict(int)
    for channel, category_id, regime, n in rows:
        by_channel[channel] += n
        by_category[category_id] += n
        by_regime[regime] += n
        kpi.registered += n
    kpi.by_channel, kpi.by_category, kpi.by_regime = dict(by_channel), dict(by_category), dict(by_regime)

    # Count per correspondent from the index first; names only for the top few.
    counts = (
        select(Appeal.correspondent_id.label("cid"), func.count().label("n"))
        .where(*in_period, Appeal.correspondent_id.is_not(None))
        .group_by(Appeal.correspondent_id)
        .order_by(func.count().desc(), Appeal.correspondent_id)
        .limit(TOP_CORRESPONDENTS)
        .subquery()
    )
    top = await session.execute(
        select(Correspondent.id, Correspondent.name, counts.c.n)
        .join(counts, counts.c.cid == Correspondent.id)
        .order_by(counts.c.n.desc(), Correspondent.id)
    )
    kpi.top_correspondents = [(cid, name, n) for cid, name, n in top]

    in_time = case((Appeal.answered_at <= Appeal.due_at, 1), else_=0)
    answered = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(in_time), 0)).where(
                Appeal.answered_at >= start, Appeal.answered_at < end
            )
        )
    ).one()
    kpi.answered, kpi.answered_in_time = answered[0], int(answered[1])
    kpi.overdue_now = (
        await session.scalar(
            select(func.count()).where(Appeal.status.in_(OPEN_APPEAL_STATUSES), Appeal.due_at < now)
        )
    ) or 0
    return kpi


@dataclass
class OutageKpi:
    outages: int = 0
    houses: int = 0
    house_hours: float = 0.0


async def outage_kpi(
    session: AsyncSession, start: datetime, end: datetime, *, now: datetime
) -> dict[str, OutageKpi]:
    """Per resource code."""
    result: dict[str, OutageKpi] = {}
    for entry in await outage_log(session, start, end, now):
        row = result.setdefault(entry.outage.resource, OutageKpi())
        row.outages += 1
        row.houses += entry.houses
        row.house_hours += entry.house_hours
    return result
