"""The service desk in the panel: the list of requests, a request's card and its actions, the form
for a new request, and the administrators' settings (topics, SLA targets)."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.service_desk import card, listing, new, settings

NEW_ROUTE = "service_desk_new"
MAX_REQUEST_BYTES = new.MAX_REQUEST_BYTES
REQUEST = r"/service-desk/{request_id:\d{1,18}}"
# Forms that carry files, with the body size they may reach (a few files of up to 20 MB each).
UPLOAD_ROUTES = {
    NEW_ROUTE: MAX_REQUEST_BYTES,
    "service_request_reply": MAX_REQUEST_BYTES,
    "service_request_note": MAX_REQUEST_BYTES,
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/service-desk", listing.request_list, name="service_desk")
    resource = router.add_resource("/service-desk/new", name=NEW_ROUTE)
    resource.add_route("GET", new.request_new)
    resource.add_route("POST", new.request_new)
    router.add_get(REQUEST, card.request_page, name="service_request")
    for action, handler in card.ACTIONS.items():
        router.add_post(f"{REQUEST}/{action}", handler, name=f"service_request_{action}")
    router.add_get(r"/service-desk/files/{file_id:\d{1,18}}", card.service_file, name="service_file")
    resource = router.add_resource("/service-desk/settings", name="service_desk_settings")
    resource.add_route("GET", settings.desk_settings)
    resource.add_route("POST", settings.desk_settings)
    router.add_post(
        "/service-desk/settings/targets", settings.default_targets, name="service_desk_default_targets"
    )
    topic = r"/service-desk/settings/topics/{topic_id:\d{1,18}}"
    resource = router.add_resource(topic, name="service_topic")
    resource.add_route("GET", settings.topic_page)
    resource.add_route("POST", settings.topic_page)
    router.add_post(topic + "/targets", settings.topic_targets, name="service_topic_targets")
