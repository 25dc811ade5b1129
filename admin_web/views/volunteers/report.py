"""The hours report: a period → each volunteer's done shifts and hours, and its XLSX (built in a
worker thread, off the event loop)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY, OFFLOAD_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views.common import zone
from admin_web.views.volunteers.common import ROLES, hours_text
from models import utcnow
from services.notify import Translator
from services.offload import render as offloaded
from services.volunteers import hours
from services.volunteers.export import workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DAYS = 5 * 366


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


async def _rows(request: web.Request) -> tuple[date, date, list[hours.ReportRow]]:
    tz = zone(request)
    today = utcnow().astimezone(tz).date()
    end_day = _day(request.query.get("to")) or today
    start_day = _day(request.query.get("from")) or end_day.replace(month=1, day=1)
    if start_day > end_day:
        start_day, end_day = end_day, start_day
    start_day = max(start_day, end_day - timedelta(days=MAX_DAYS))
    start = datetime.combine(start_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start_day, end_day, await hours.report(request[DB_KEY], start, end)


@requires_role(*ROLES)
async def report_page(request: web.Request) -> web.StreamResponse:
    start_day, end_day, rows = await _rows(request)
    return await render(
        request,
        "volunteers/report.html",
        {
            "section": "volunteers",
            "hours_text": hours_text,
            "start_day": start_day,
            "end_day": end_day,
            "rows": rows,
            "total_shifts": sum(r.shifts for r in rows),
            "total_hours": round(sum(r.hours for r in rows), 2),
            "query": {"from": start_day.isoformat(), "to": end_day.isoformat()},
        },
    )


@requires_role(*ROLES)
async def report_xlsx(request: web.Request) -> web.StreamResponse:
    start_day, end_day, rows = await _rows(request)
    locale = current_locale.get()
    period = Translator(locale)(
        "Period: %(start)s – %(end)s", start=start_day.strftime("%d.%m.%Y"), end=end_day.strftime("%d.%m.%Y")
    )
    body = await offloaded(request.app.get(OFFLOAD_KEY), workbook, rows, period, locale)
    name = f"volunteer-hours-{start_day.isoformat()}-{end_day.isoformat()}.xlsx"
    return web.Response(
        body=body, content_type=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
