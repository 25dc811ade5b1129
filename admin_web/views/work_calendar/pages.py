"""The calendar's handlers: the year page with its forms, a dated row's edit page, deletion."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import zone
from models import CalendarDay, utcnow
from models.enums import CalendarDayKind, Role
from services.errors import DomainError, NotFound
from services.work_calendar import admin, store

admin_only = requires_role(Role.ADMIN)
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
SHORT_WEEKDAYS = (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su"))
MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
KINDS = {
    CalendarDayKind.HOLIDAY.value: N_("Holiday (non-working by decree)"),
    CalendarDayKind.DAY_OFF.value: N_("Own day off"),
    CalendarDayKind.WORKDAY.value: N_("Working day (transferred)"),
    CalendarDayKind.SHORT.value: N_("Shortened day"),
}
# The grid's colour classes and legend, by DayInfo.reason.
LEGEND = {
    "": N_("Working day"),
    "weekend": N_("Weekend"),
    CalendarDayKind.HOLIDAY.value: N_("Holiday"),
    CalendarDayKind.WORKDAY.value: N_("Transferred working day"),
    CalendarDayKind.SHORT.value: N_("Shortened day"),
    CalendarDayKind.DAY_OFF.value: N_("Own day off"),
}


def _year(request: web.Request) -> int:
    raw = request.query.get("year", "")
    if raw.isdigit() and admin.FIRST_YEAR <= int(raw) <= admin.LAST_YEAR:
        return int(raw)
    return utcnow().astimezone(zone(request)).year


def _year_url(request: web.Request, year: int) -> str:
    return str(request.app.router["work_calendar"].url_for().with_query({"year": str(year)}))


def _date(form: Form, name: str = "day") -> date | None:
    raw = form.text(name, max_length=10)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        form.fail(name, N_("Enter a date."))
        return None


def _day_input(form: Form) -> admin.DayInput:
    return admin.DayInput(
        day=_date(form),
        kind=form.text("kind", max_length=16) or "",
        note=form.text("note", max_length=admin.NOTE_LIMIT) or "",
        starts=form.text("starts", max_length=5),
        ends=form.text("ends", max_length=5),
    )


def _row_values(row: CalendarDay) -> dict[str, str]:
    return {
        "day": row.day.isoformat(),
        "kind": row.kind,
        "note": row.note,
        "starts": row.starts or "",
        "ends": row.ends or "",
    }


async def _week_values(request: web.Request) -> dict[str, str]:
    week = await store.week(request[DB_KEY])
    values: dict[str, str] = {}
    for weekday in range(7):
        hours = week.get(weekday)
        values[f"{weekday}_starts"] = hours[0].strftime("%H:%M") if hours else ""
        values[f"{weekday}_ends"] = hours[1].strftime("%H:%M") if hours else ""
    return values


async def _page(
    request: web.Request,
    *,
    year: int,
    week_form: Form | None = None,
    day_form: Form | None = None,
    status: int = 200,
) -> web.StreamResponse:
    db = request[DB_KEY]
    view = await admin.year_view(db, zone(request), year)
    rows = await admin.list_days(db, year)
    context: dict[str, Any] = {
        "view": view,
        "year": year,
        "rows": rows,
        "week_form": week_form or Form(values=await _week_values(request)),
        "day_form": day_form or Form(values={"kind": CalendarDayKind.DAY_OFF.value}),
        "weekdays": WEEKDAYS,
        "short_weekdays": SHORT_WEEKDAYS,
        "months": MONTHS,
        "kinds": KINDS,
        "legend": LEGEND,
        "can_edit": request[USER_KEY].has_role(Role.ADMIN),
        "section": "work_calendar",
    }
    return await render(request, "work_calendar/page.html", context, status=status)


async def calendar_page(request: web.Request) -> web.StreamResponse:
    return await _page(request, year=_year(request))


@admin_only
async def week_save(request: web.Request) -> web.StreamResponse:
    form = Form.posted(await request.post())
    hours = {
        w: (form.text(f"{w}_starts", max_length=5), form.text(f"{w}_ends", max_length=5)) for w in range(7)
    }
    year = _year(request)
    if form.ok:
        try:
            await admin.set_week(request[DB_KEY], request[USER_KEY].actor, hours)
        except DomainError as exc:
            await request[DB_KEY].rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("Working hours saved."))
            raise web.HTTPSeeOther(_year_url(request, year))
    return await _page(request, year=year, week_form=form, status=400)


@admin_only
async def day_new(request: web.Request) -> web.StreamResponse:
    form = Form.posted(await request.post())
    data = _day_input(form)
    year = (
        data.day.year if data.day and admin.FIRST_YEAR <= data.day.year <= admin.LAST_YEAR else _year(request)
    )
    if form.ok:
        try:
            await admin.save_day(request[DB_KEY], request[USER_KEY].actor, None, data)
        except DomainError as exc:
            await request[DB_KEY].rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("Calendar day saved."))
            raise web.HTTPSeeOther(_year_url(request, year))
    return await _page(request, year=year, day_form=form, status=400)


@admin_only
async def day_edit(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    day_id = int(request.match_info["day_id"])
    try:
        row = await admin.get_day(db, day_id)
    except NotFound:
        raise web.HTTPNotFound() from None
    if request.method == "POST":
        form = Form.posted(await request.post())
        data = _day_input(form)
        if form.ok:
            try:
                saved = await admin.save_day(db, request[USER_KEY].actor, day_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Calendar day saved."))
                raise web.HTTPSeeOther(_year_url(request, saved.day.year))
    else:
        form = Form(values=_row_values(row))
    context = {"form": form, "row_id": day_id, "kinds": KINDS, "section": "work_calendar"}
    return await render(request, "work_calendar/day_edit.html", context, status=200 if form.ok else 400)


@admin_only
async def day_delete(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    try:
        row = await admin.get_day(db, int(request.match_info["day_id"]))
        year = row.day.year
        await admin.delete_day(db, request[USER_KEY].actor, row.id)
    except NotFound:
        raise web.HTTPNotFound() from None
    await flash(request, gettext("Calendar day deleted."))
    raise web.HTTPSeeOther(_year_url(request, year))
