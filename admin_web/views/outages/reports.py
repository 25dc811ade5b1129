"""«Summary» (who is without what right now) and «Log» (outages of a period, also as XLSX)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiohttp import web

from admin_web.exports import table_response
from admin_web.i18n import current_locale, gettext
from admin_web.keys import DB_KEY, OFFLOAD_KEY, SETTINGS_KEY
from admin_web.render import render
from admin_web.views.common import notice_context
from admin_web.views.files import content_disposition
from admin_web.views.outages.common import day_start, labels, local_day, viewer
from models import utcnow
from services.outages import export, summary

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PERIOD_DAYS = 366


@viewer
async def outage_summary(request: web.Request) -> web.StreamResponse:
    current = await summary.current_summary(request[DB_KEY])
    return await render(
        request,
        "outages/summary.html",
        {**labels(), "s": current, "now": utcnow(), "section": "outages", "tab": "summary"},
    )


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date  # inclusive
    error: str | None = None

    def bounds(self, request: web.Request) -> tuple[datetime, datetime]:
        tz = request.config_dict[SETTINGS_KEY].tz
        return day_start(self.first, tz), day_start(self.last + timedelta(days=1), tz)

    @property
    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def _period(request: web.Request) -> Period:
    """The asked local days; the current month so far by default; a bad period falls back with a note."""
    today = utcnow().astimezone(request.config_dict[SETTINGS_KEY].tz).date()
    default = Period(today.replace(day=1), today)
    raw_from, raw_to = request.query.get("from"), request.query.get("to")
    if not raw_from and not raw_to:
        return default
    first, last = local_day(raw_from), local_day(raw_to)
    if first is None or last is None:
        return Period(default.first, default.last, gettext("Enter both dates of the period."))
    if last < first:
        return Period(default.first, default.last, gettext("The period ends before it begins."))
    if (last - first).days >= MAX_PERIOD_DAYS:
        return Period(
            default.first, default.last, gettext("The period is at most %(n)d days.", n=MAX_PERIOD_DAYS)
        )
    return Period(first, last)


@viewer
async def outage_log(request: web.Request) -> web.StreamResponse:
    period = _period(request)
    start, end = period.bounds(request)
    now = utcnow()
    entries = await summary.outage_log(request[DB_KEY], start, end, now)
    return await render(
        request,
        "outages/log.html",
        {
            **labels(),
            "period": period,
            "entries": entries,
            "total_houses": sum(e.houses for e in entries),
            "total_house_hours": sum(e.house_hours for e in entries),
            "xlsx_url": request.app.router["outage_log_xlsx"].url_for().with_query(period.query),
            "csv_url": request.app.router["outage_log_csv"].url_for().with_query(period.query),
            "section": "outages",
            "tab": "log",
        },
    )


def _download_period(request: web.Request) -> tuple[datetime, datetime, str]:
    """A download's period, strictly (a bad one is refused, not replaced): its bounds and the file's name."""
    period = _period(request)
    if period.error:
        raise web.HTTPBadRequest()
    start, end = period.bounds(request)
    return start, end, f"outages_{period.first.isoformat()}_{period.last.isoformat()}"


@viewer
async def outage_log_xlsx(request: web.Request) -> web.StreamResponse:
    start, end, name = _download_period(request)
    data = await export.export_xlsx(
        request[DB_KEY],
        notice_context(request),
        start,
        end,
        utcnow(),
        locale=current_locale.get(),
        offload=request.app.get(OFFLOAD_KEY),
    )
    return web.Response(
        body=data,
        headers={
            "Content-Type": XLSX_TYPE,
            "Content-Disposition": content_disposition("attachment", f"{name}.xlsx"),
            "Cache-Control": "private, no-store",
        },
    )


@viewer
async def outage_log_csv(request: web.Request) -> web.StreamResponse:
    """The same log as the XLSX, as CSV (the rows of :func:`services.outages.export.log_rows`)."""
    start, end, name = _download_period(request)
    ctx = notice_context(request)
    entries = await summary.outage_log(request[DB_KEY], start, end, utcnow())
    header, rows = export.log_rows(entries, ctx, current_locale.get())
    return await table_response(request, "csv", name, header, rows)
