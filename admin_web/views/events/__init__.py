"""The panel's events (issue #16): the list, the event form, an event's page with its registrations,
waiting list and attendance, the XLSX list; managers and clerks only."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.events import edit, listing, page

EVENT = r"/events/{event_id:\d{1,18}}"
REGISTRATION = EVENT + r"/registrations/{registration_id:\d{1,18}}"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/events", listing.event_list, name="events")
    resource = router.add_resource("/events/new", name="event_new")
    resource.add_route("GET", edit.event_new)
    resource.add_route("POST", edit.event_new)
    router.add_get(EVENT, page.event_page, name="event_page")
    resource = router.add_resource(EVENT + "/edit", name="event_edit")
    resource.add_route("GET", edit.event_edit)
    resource.add_route("POST", edit.event_edit)
    router.add_post(EVENT + "/cancel", edit.event_cancel, name="event_cancel")
    router.add_post(EVENT + "/attendance", page.attendance_all, name="event_attendance_all")
    router.add_get(EVENT + "/export.xlsx", page.event_export, name="event_export")
    for action, handler in page.ACTIONS.items():
        router.add_post(f"{REGISTRATION}/{action}", handler, name=f"event_registration_{action}")
