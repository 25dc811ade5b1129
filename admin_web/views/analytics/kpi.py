"""The KPI dashboard: figures for the chosen period and scope, charts, breakdown, drill-down links."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY, OFFLOAD_KEY
from admin_web.labels import APPEAL_REGIME_LABELS
from admin_web.render import render
from admin_web.views.analytics.scope import Filters, read_filters
from admin_web.views.common import notice_context
from models import Department, User, utcnow
from services.analytics.appeals_kpi import appeal_kpi, outage_kpi
from services.analytics.charts import breakdown_png, on_time_trend_png
from services.analytics.export import KPI_HEADER, kpi_texts, kpi_workbook
from services.analytics.kpi import AssignmentKpi, GroupBy, assignment_kpi_by
from services.analytics.trend import period_trend, weekly
from services.appeals.labels import APPEAL_CHANNEL_LABELS
from services.notify import Translator
from services.offload import render as offloaded
from services.outages.resources import resource_name

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAILY_TREND_MAX_DAYS = 62


async def _breakdown(request: web.Request, f: Filters) -> tuple[str, list[dict[str, Any]]]:
    """Rows per department (organisation view) or per employee (department view)."""
    db = request[DB_KEY]
    now = utcnow()
    if f.scope.user_id is not None:
        return "none", []
    group = GroupBy.EXECUTOR if f.scope.department_id is not None else GroupBy.DEPARTMENT
    figures = await assignment_kpi_by(db, f.start, f.end, now=now, scope=f.scope, group=group)
    if group is GroupBy.DEPARTMENT:
        names = dict((await db.execute(select(Department.id, Department.name))).all())
        param = "department"
    else:
        names = dict((await db.execute(select(User.id, User.full_name))).all())
        param = "executor"
    rows = [
        {
            "id": key,
            "name": names.get(key, "—") if key else None,
            "kpi": k,
            "links": _links(request, f, param, key),
        }
        for key, k in figures.items()
    ]
    rows.sort(key=lambda r: (r["name"] is None, r["name"] or ""))
    return group.value, rows


def _links(
    request: web.Request, f: Filters, param: str | None = None, key: int | None = None
) -> dict[str, str]:
    """Drill-down into the assignments list (its filters) and, for a row, into its own KPI."""
    base: dict[str, str] = {}
    if f.scope.department_id is not None:
        base["department"] = str(f.scope.department_id)
    if f.scope.user_id is not None:
        base["executor"] = str(f.scope.user_id)
    if param:
        base[param] = str(key) if key else "none"  # the "No department" / "No executor" row
    assignments = request.app.router["assignments"].url_for()
    # Each link is limited the way its figure is counted (services/analytics/kpi.py): "received" by
    # creation in the period, "done" by acceptance in it; "overdue now" is a snapshot of today.
    start, end = f.start_day.isoformat(), f.end_day.isoformat()
    period = {
        "all": {"created_from": start, "created_to": end},
        "done": {"done_from": start, "done_to": end},
        "overdue": {},
    }
    links = {
        status: str(assignments.with_query({"status": status, **base, **period[status]}))
        for status in ("all", "done", "overdue")
    }
    if param and key:
        own = "department" if param == "department" else "employee"
        links["self"] = str(
            request.app.router["analytics"].url_for().with_query({**f.query(), own: str(key)})
        )
    return links


async def dashboard(request: web.Request) -> web.StreamResponse:
    now = utcnow()
    f = await read_filters(request, now)
    db = request[DB_KEY]
    total = (await assignment_kpi_by(db, f.start, f.end, now=now, scope=f.scope))[None]
    group, rows = await _breakdown(request, f)
    appeals = outages = None
    if f.scope.department_id is None and f.scope.user_id is None:
        appeals = await appeal_kpi(db, f.start, f.end, now=now)
        outages = await outage_kpi(db, f.start, f.end, now=now)
    departments = dict(
        (await db.execute(select(Department.id, Department.name).order_by(Department.name))).all()
    )
    people_query = select(User.id, User.full_name).where(User.is_active).order_by(User.full_name)
    if f.scope.department_id is not None:
        people_query = people_query.where(User.department_id == f.scope.department_id)
    people = list((await db.execute(people_query)).all())
    t = Translator(current_locale.get())
    return await render(
        request,
        "analytics/kpi.html",
        {
            "section": "analytics",
            "f": f,
            "query": f.query(),
            "total": total,
            "group": group,
            "rows": rows,
            "appeals": appeals,
            "outages": outages,
            "departments": departments,
            "people": people,
            "kpi_header": KPI_HEADER,
            "links": _links(request, f),
            "channel_labels": APPEAL_CHANNEL_LABELS,
            "regime_labels": APPEAL_REGIME_LABELS,
            "resource_names": {code: resource_name(code, t) for code in (outages or {})},
        },
    )


async def trend_chart(request: web.Request) -> web.StreamResponse:
    f = await read_filters(request, utcnow())
    points = await period_trend(request[DB_KEY], notice_context(request), f.start, f.end, scope=f.scope)
    if len(points) > DAILY_TREND_MAX_DAYS:
        points = weekly(points)
    t = Translator(current_locale.get())
    png = await offloaded(request.app.get(OFFLOAD_KEY), on_time_trend_png, tuple(points), t)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=60"})


async def breakdown_chart(request: web.Request) -> web.StreamResponse:
    f = await read_filters(request, utcnow())
    _group, rows = await _breakdown(request, f)
    data = [(r["name"] or "—", r["kpi"].done, r["kpi"].on_time_rate) for r in rows]
    t = Translator(current_locale.get())
    png = await offloaded(request.app.get(OFFLOAD_KEY), breakdown_png, tuple(data), t)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=60"})


def _filename(f: Filters, ext: str) -> str:
    return f"kpi-{f.start_day.isoformat()}-{f.end_day.isoformat()}.{ext}"


async def export_xlsx(request: web.Request) -> web.StreamResponse:
    now = utcnow()
    f = await read_filters(request, now)
    data = await kpi_workbook(
        request[DB_KEY],
        notice_context(request),
        f.start,
        f.end,
        now=now,
        scope=f.scope,
        locale=current_locale.get(),
        offload=request.app.get(OFFLOAD_KEY),
    )
    return web.Response(
        body=data,
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_filename(f, "xlsx")}"'},
    )


async def export_csv(request: web.Request) -> web.StreamResponse:
    now = utcnow()
    f = await read_filters(request, now)
    t = Translator(current_locale.get())
    total: AssignmentKpi = (await assignment_kpi_by(request[DB_KEY], f.start, f.end, now=now, scope=f.scope))[
        None
    ]
    group, rows = await _breakdown(request, f)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # what Excel expects in a Russian locale
    first = t("Department") if group == GroupBy.DEPARTMENT else t("Employee")  # the page's column title
    writer.writerow([first, *(t(h) for h in KPI_HEADER)])
    locale = current_locale.get()
    writer.writerow([t("Total"), *kpi_texts(total, locale)])
    for row in rows:
        writer.writerow([row["name"] or "—", *kpi_texts(row["kpi"], locale)])
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"),  # the BOM makes Excel read UTF-8
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(f, "csv")}"'},
    )
