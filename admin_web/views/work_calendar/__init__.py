"""The production calendar page: the year's grid (every signed-in staff member may look), the
weekly hours and the administrator's own dated rows (only administrators change them; the service
re-checks the role)."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.work_calendar import pages


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/work-calendar", pages.calendar_page, name="work_calendar")
    router.add_post("/work-calendar/week", pages.week_save, name="work_calendar_week")
    router.add_post("/work-calendar/days/new", pages.day_new, name="work_calendar_day_new")
    resource = router.add_resource(r"/work-calendar/days/{day_id:\d{1,18}}", name="work_calendar_day")
    resource.add_route("GET", pages.day_edit)
    resource.add_route("POST", pages.day_edit)
    router.add_post(
        r"/work-calendar/days/{day_id:\d{1,18}}/delete", pages.day_delete, name="work_calendar_day_delete"
    )
