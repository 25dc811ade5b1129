"""The appeals and outages sections of the daily digest and ``/stats``.

Appeals (for clerks, in their scope, and managers): registered and answered during the day, and at
``now``: overdue, due within ``NEAR_DAYS`` days, not yet taken into work. Outages (for dispatchers
and managers): started and ended during the day, active now with the houses and social objects
without supply, and residents' signals received during the day, how many of them are linked to an
outage already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Outage, OutageSignal
from models.enums import AppealStatus, OutageStatus, SignalStatus
from services.appeals import access
from services.notify import N_, Translator
from services.outages.resources import social_type_name
from services.outages.summary import current_summary

ASSIGNMENTS, APPEALS, OUTAGES = "assignments", "appeals", "outages"
SERVICE_DESK = "service_desk"  # the SLA section (digest_sla), for managers: left out when unused
ALL_SECTIONS = frozenset({ASSIGNMENTS, APPEALS, OUTAGES, SERVICE_DESK})
NEAR_DAYS = 3
OPEN_APPEALS = (AppealStatus.RECEIVED.value, AppealStatus.REGISTERED.value, AppealStatus.IN_WORK.value)
HAPPENED = (OutageStatus.ACTIVE.value, OutageStatus.RESOLVED.value)


@dataclass
class AppealFigures:
    registered: int = 0
    answered: int = 0
    overdue: int = 0
    near_deadline: int = 0
    not_in_work: int = 0


@dataclass
class OutageFigures:
    started: int = 0
    ended: int = 0
    active: int = 0
    houses: int = 0
    social: dict[str, int] = field(default_factory=dict)
    signals: int = 0
    signals_linked: int = 0


async def appeal_figures(
    session: AsyncSession, start: datetime, end: datetime, now: datetime, clerk_department_id: int | None
) -> AppealFigures:
    """``clerk_department_id``: the scope of a clerk of that department (``access``); None: all."""
    clause = access.department_clause(clerk_department_id, await access.clerk_map(session))

    async def count(*where) -> int:  # type: ignore[no-untyped-def]
        query = select(func.count()).select_from(Appeal).where(*where)
        if clause is not None:
            query = query.where(clause)
        return await session.scalar(query) or 0

    is_open = Appeal.status.in_(OPEN_APPEALS)
    return AppealFigures(
        registered=await count(Appeal.registered_at >= start, Appeal.registered_at < end),
        answered=await count(Appeal.answered_at >= start, Appeal.answered_at < end),
        overdue=await count(is_open, Appeal.due_at < now),
        near_deadline=await count(
            is_open, Appeal.due_at >= now, Appeal.due_at < now + timedelta(days=NEAR_DAYS)
        ),
        not_in_work=await count(
            Appeal.status.in_((AppealStatus.RECEIVED.value, AppealStatus.REGISTERED.value))
        ),
    )


async def outage_figures(
    session: AsyncSession, start: datetime, end: datetime, resources: str | None = None
) -> OutageFigures:
    async def count(model, *where) -> int:  # type: ignore[no-untyped-def]
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    now = await current_summary(session, resources)
    return OutageFigures(
        started=await count(
            Outage, Outage.status.in_(HAPPENED), Outage.starts_at >= start, Outage.starts_at < end
        ),
        ended=await count(Outage, Outage.ended_at >= start, Outage.ended_at < end),
        active=await count(Outage, Outage.status == OutageStatus.ACTIVE.value),
        houses=now.houses,
        social=now.social,
        signals=await count(OutageSignal, OutageSignal.created_at >= start, OutageSignal.created_at < end),
        signals_linked=await count(
            OutageSignal,
            OutageSignal.created_at >= start,
            OutageSignal.created_at < end,
            OutageSignal.status == SignalStatus.LINKED.value,
        ),
    )


def appeal_lines(f: AppealFigures, t: Translator) -> list[str]:
    return [
        t(
            N_("<b>Appeals</b>: registered %(registered)s, answered %(answered)s"),
            registered=f.registered,
            answered=f.answered,
        ),
        t(
            N_("Overdue now: %(overdue)s, due within %(days)s days: %(near)s, not taken into work: %(new)s"),
            overdue=f.overdue,
            days=NEAR_DAYS,
            near=f.near_deadline,
            new=f.not_in_work,
        ),
    ]


def outage_lines(f: OutageFigures, t: Translator) -> list[str]:
    lines = [
        t(
            N_("<b>Outages</b>: started %(started)s, ended %(ended)s, active now %(active)s"),
            started=f.started,
            ended=f.ended,
            active=f.active,
        ),
    ]
    if f.active:
        lines.append(t(N_("Without supply now: %(houses)s houses"), houses=f.houses))
        if f.social:
            social = ", ".join(f"{social_type_name(code, t)}: {n}" for code, n in sorted(f.social.items()))
            lines.append(t(N_("Social objects among them: %(list)s"), list=social))
    lines.append(
        t(
            N_("Residents' signals: %(n)s, linked to an outage: %(linked)s"),
            n=f.signals,
            linked=f.signals_linked,
        )
    )
    return lines
