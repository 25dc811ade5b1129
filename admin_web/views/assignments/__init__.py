"""Assignments in the panel: the list and page, creation, and the actions on one assignment."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.assignments import actions, listing, new

NEW_ROUTE = "assignment_new"
MAX_REQUEST_BYTES = new.MAX_REQUEST_BYTES


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/assignments", listing.assignment_list, name="assignments")
    resource = router.add_resource("/assignments/new", name=NEW_ROUTE)
    resource.add_route("GET", new.assignment_new)
    resource.add_route("POST", new.assignment_new)
    router.add_get(r"/assignments/{assignment_id:\d+}", listing.assignment_page, name="assignment_page")
    router.add_post(r"/assignments/{assignment_id:\d+}/act", actions.assignment_act, name="assignment_act")
    router.add_post(
        r"/assignments/{assignment_id:\d+}/comments", actions.assignment_comment, name="assignment_comment"
    )
    router.add_post(
        r"/assignments/{assignment_id:\d+}/deadline", actions.assignment_deadline, name="assignment_deadline"
    )
    router.add_post(
        r"/assignments/{assignment_id:\d+}/extensions/{request_id:\d+}",
        actions.assignment_extension,
        name="assignment_extension",
    )
