"""The service desk's SLA section of the manager's digest and ``/stats``: over the last
``SLA_DAYS`` local days up to the digest's day, the requests filed, the share of reaction and
resolution targets met (``services.service_desk.compliance``), and the requests overdue and open
right now. Left out where the service desk is not used (no requests, nothing overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.digest_sections import SERVICE_DESK
from services.notify import N_, NoticeContext, Translator
from services.service_desk import compliance
from services.work_calendar import store as calendar_store

SLA_DAYS = 7
__all__ = ["SERVICE_DESK", "SlaFigures", "sla_figures", "sla_lines"]


@dataclass
class SlaFigures:
    days: int
    requests: int
    reaction_pct: float | None
    resolution_pct: float | None
    breached_now: int


async def sla_figures(
    session: AsyncSession, ctx: NoticeContext, day_end: datetime, now: datetime, *, days: int = SLA_DAYS
) -> SlaFigures | None:
    """``day_end``: the end of the digest's local day; the period is the ``days`` days before it."""
    calendar = await calendar_store.load(session, ctx.tz)
    rows = await compliance.compliance(
        session, calendar, day_end - timedelta(days=days), day_end, now, group=compliance.TOPIC
    )
    whole = compliance.total(rows)
    breached = await compliance.breached_open(session, now)
    if not whole.requests and not breached:
        return None
    return SlaFigures(days, whole.requests, whole.reaction_pct, whole.resolution_pct, breached)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value)}%"


def sla_lines(figures: SlaFigures, t: Translator) -> list[str]:
    return [
        t(N_("<b>Service desk SLA, last %(days)s days</b>"), days=figures.days),
        t(N_("Requests: %(n)s"), n=figures.requests),
        t(
            N_("Reaction on time: %(reaction)s, resolution on time: %(resolution)s"),
            reaction=_pct(figures.reaction_pct),
            resolution=_pct(figures.resolution_pct),
        ),
        t(N_("Overdue and open now: %(n)s"), n=figures.breached_now),
    ]
