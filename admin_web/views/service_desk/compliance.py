"""The SLA compliance page (managers): per topic, assignee and month over a period, and its XLSX."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY, OFFLOAD_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views.common import zone
from models import utcnow
from models.enums import Role
from services.notify import Translator
from services.offload import render as offloaded
from services.service_desk import compliance as figures
from services.service_desk.compliance_export import EMPTY, FIRST_COLUMN, SHEETS, workbook
from services.work_calendar import store as calendar_store

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DAYS = 3 * 366


def setup_compliance_routes(app: web.Application) -> None:
    """Called where the panel's routes are set up (``admin_web.app._add_routes``)."""
    app.router.add_get("/service-desk/compliance", compliance_page, name="sd_compliance")
    app.router.add_get("/service-desk/compliance.xlsx", compliance_xlsx, name="sd_compliance_xlsx")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _bounds(start_day: date, end_day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local days (the end one included) as a UTC ``[start, end)``."""
    start = datetime.combine(start_day, time(0), tzinfo=tz).astimezone(UTC)
    return start, datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


async def _figures(request: web.Request):  # type: ignore[no-untyped-def]
    now = utcnow()
    tz = zone(request)
    today = now.astimezone(tz).date()
    end_day = _day(request.query.get("to")) or today
    start_day = _day(request.query.get("from")) or end_day.replace(day=1)
    if start_day > end_day:
        start_day, end_day = end_day, start_day
    start_day = max(start_day, end_day - timedelta(days=MAX_DAYS))
    start, end = _bounds(start_day, end_day, tz)
    db = request[DB_KEY]
    calendar = await calendar_store.load(db, tz)
    locale = current_locale.get()
    groups = {
        group: await figures.compliance(db, calendar, start, end, now, group=group, locale=locale)
        for group in figures.GROUPS
    }
    breached = await figures.breached_open(db, now)
    return start_day, end_day, groups, breached


@requires_role(Role.MANAGER)
async def compliance_page(request: web.Request) -> web.StreamResponse:
    start_day, end_day, groups, breached = await _figures(request)
    query = {"from": start_day.isoformat(), "to": end_day.isoformat()}
    return await render(
        request,
        "service_desk/compliance.html",
        {
            "section": "service_desk",
            "start_day": start_day,
            "end_day": end_day,
            "query": query,
            "groups": groups,
            "totals": {g: figures.total(rows) for g, rows in groups.items()},
            "breached": breached,
            "sheets": SHEETS,
            "first_column": FIRST_COLUMN,
            "empty": EMPTY,
        },
    )


@requires_role(Role.MANAGER)
async def compliance_xlsx(request: web.Request) -> web.StreamResponse:
    start_day, end_day, groups, _breached = await _figures(request)
    locale = current_locale.get()
    t = Translator(locale)
    period = t(
        "Period: %(start)s – %(end)s", start=start_day.strftime("%d.%m.%Y"), end=end_day.strftime("%d.%m.%Y")
    )
    body = await offloaded(request.app.get(OFFLOAD_KEY), workbook, groups, period, locale)
    name = f"sla-{start_day.isoformat()}-{end_day.isoformat()}.xlsx"
    return web.Response(
        body=body, content_type=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
