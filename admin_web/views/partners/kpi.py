"""«KPI of organisations»: every organisation's figures for one period, side by side."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.views.partners.common import labels, read_period, viewer
from models import utcnow
from services.partners import kpi


@viewer
async def organisations_kpi(request: web.Request) -> web.StreamResponse:
    now = utcnow()
    period = read_period(request, now)
    rows = await kpi.organisation_kpis(request[DB_KEY], period.start, period.end, now=now)
    return await render(
        request,
        "partners/kpi.html",
        {**labels(), "rows": rows, "period": period, "section": "organisations_kpi"},
    )
