"""The panel's applications: the list, an application's page with reviews and the decision, the
entry of a paper application, the types' settings and the registry of approved objects."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.applications import listing, page, settings

APPLICATION = r"/applications/{application_id:\d{1,18}}"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/applications", listing.application_list, name="applications")
    resource = router.add_resource("/applications/new", name="application_new")
    resource.add_route("GET", listing.application_new)
    resource.add_route("POST", listing.application_new)
    router.add_get(APPLICATION, page.application_view, name="application")
    router.add_post(APPLICATION + "/review", page.review_post, name="application_review")
    router.add_post(APPLICATION + "/decide", page.decide_post, name="application_decide")
    router.add_get(r"/applications/files/{file_id:\d{1,18}}", page.application_file, name="application_file")
    router.add_get("/applications/types", settings.type_list, name="application_types")
    resource = router.add_resource("/applications/types/new", name="application_type_new")
    resource.add_route("GET", settings.type_new)
    resource.add_route("POST", settings.type_new)
    resource = router.add_resource(r"/applications/types/{type_id:\d{1,18}}", name="application_type")
    resource.add_route("GET", settings.type_edit)
    resource.add_route("POST", settings.type_edit)
