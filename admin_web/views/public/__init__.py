"""Pages and APIs for people outside the administration: the appeal form, its status, Open311, the
public map of outages and incidents.

Also the admin page issuing Open311 API keys. ``add_routes`` is the one call the app factory makes.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.security import Handler
from admin_web.views.public import api_keys, counter, form, open311, status
from admin_web.views.public import map as outage_map
from admin_web.views.public.common import install_limiters

# Route names whose bodies may exceed the default 1 MB without a signed-in user, and their caps.
PUBLIC_UPLOAD_ROUTES = {"public_form": form.MAX_REQUEST_BYTES}
OPEN311_PREFIX = "/open311/"


def add_routes(app: web.Application) -> None:
    install_limiters(app)
    r = app.router
    _get_post(r, "/form", form.appeal_form, "public_form")
    r.add_get("/form/done", form.appeal_done, name="public_form_done")
    _get_post(r, "/form/status", status.appeal_status, "public_status")
    r.add_post("/form/status/file", status.answer_file, name="public_answer_file")
    r.add_get("/public/appeals/counter.json", counter.counter_json, name="public_counter_json")
    r.add_get("/public/appeals/counter", counter.counter_widget, name="public_counter")
    r.add_get("/public/map.json", outage_map.map_json, name="public_map_json")
    r.add_get("/public/map", outage_map.map_page, name="public_map")

    v2 = "/open311/v2"
    fmt = "{fmt:[A-Za-z0-9]+}"
    _api(r, f"/open311/discovery.{fmt}", "open311_discovery", GET=open311.discovery)
    _api(r, f"{v2}/services.{fmt}", "open311_services", GET=open311.services_list)
    # Category codes may hold dots: the last one starts the format.
    _api(
        r,
        f"{v2}/services/{{service_code:[^{{}}/]+}}.{fmt}",
        "open311_service",
        GET=open311.service_definition,
    )
    _api(
        r,
        f"{v2}/requests.{fmt}",
        "open311_requests",
        GET=open311.requests_collection,
        POST=open311.requests_collection,
    )
    _api(r, f"{v2}/requests/{{request_id:[^{{}}/.]+}}.{fmt}", "open311_request", GET=open311.request_item)
    r.add_route("*", "/open311/{tail:.*}", open311.not_found, name="open311_not_found")

    _get_post(r, "/api-keys", api_keys.api_keys, "api_keys")
    r.add_post(r"/api-keys/{client_id:\d+}/revoke", api_keys.api_key_revoke, name="api_key_revoke")


def _get_post(router: web.UrlDispatcher, path: str, handler: Handler, name: str) -> None:
    resource = router.add_resource(path, name=name)
    resource.add_route("GET", handler)
    resource.add_route("POST", handler)


def _api(router: web.UrlDispatcher, path: str, name: str, **handlers: Handler) -> None:
    """Other methods get the spec's error (XML or JSON), not the panel's HTML 405 page."""
    resource = router.add_resource(path, name=name)
    for method, handler in handlers.items():
        resource.add_route(method, handler)
    resource.add_route("*", open311.not_allowed)
