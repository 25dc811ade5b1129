"""The panel's mailings (issue #16): list, compose / edit, the mailing's page with its actions and
live progress; the CRM card block is in ``card``."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.mailings import compose, page

NEW_ROUTE = "mailing_new"
EDIT_ROUTE = "mailing_edit"
MAILING = r"/mailings/{mailing_id:\d{1,18}}"
# The compose form carries a photo or a document of up to 20 MB.
UPLOAD_ROUTES = {NEW_ROUTE: compose.MAX_REQUEST_BYTES, EDIT_ROUTE: compose.MAX_REQUEST_BYTES}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/mailings", compose.mailing_list, name="mailings")
    resource = router.add_resource("/mailings/new", name=NEW_ROUTE)
    resource.add_route("GET", compose.mailing_new)
    resource.add_route("POST", compose.mailing_new)
    router.add_get(MAILING, page.mailing_page, name="mailing")
    resource = router.add_resource(MAILING + "/edit", name=EDIT_ROUTE)
    resource.add_route("GET", compose.mailing_edit)
    resource.add_route("POST", compose.mailing_edit)
    resource = router.add_resource(MAILING + "/send", name="mailing_send")
    resource.add_route("GET", page.send_confirm)
    resource.add_route("POST", page.send_confirm)
    router.add_post(MAILING + "/test", page.test_send, name="mailing_test")
    router.add_post(MAILING + "/schedule", page.schedule, name="mailing_schedule")
    router.add_post(MAILING + "/cancel", page.cancel, name="mailing_cancel")
    router.add_get(MAILING + "/progress.json", page.progress_json, name="mailing_progress")
