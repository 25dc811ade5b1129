"""The panel's volunteers (managers and clerks): the base, a volunteer's page, volunteers at an event
(suggested and assigned), the hours report and its XLSX; the CRM card's block is ``card``."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.volunteers import base, event, report, volunteer

_ID = r"{%s:\d{1,18}}"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/volunteers", base.volunteer_list, name="volunteers")
    router.add_get("/volunteers/report", report.report_page, name="volunteers_report")
    router.add_get("/volunteers/report.xlsx", report.report_xlsx, name="volunteers_report_xlsx")
    router.add_get("/volunteers/" + _ID % "volunteer_id", volunteer.volunteer_page, name="volunteer")
    router.add_post(
        "/volunteers/" + _ID % "volunteer_id" + "/status", volunteer.status_post, name="volunteer_status"
    )
    router.add_post(
        "/volunteers/" + _ID % "volunteer_id" + "/profile", volunteer.profile_post, name="volunteer_profile"
    )
    router.add_post(
        "/volunteers/shifts/" + _ID % "shift_id" + "/{action:(done|no-show)}",
        volunteer.shift_post,
        name="volunteer_shift",
    )
    router.add_get("/volunteers/events/" + _ID % "event_id", event.event_page, name="volunteers_event")
    router.add_post(
        "/volunteers/events/" + _ID % "event_id" + "/assign", event.assign_post, name="volunteers_assign"
    )
