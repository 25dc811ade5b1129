"""«Import»: upload a file, read the dry run's report, confirm, watch the real run; templates and
invite links for imported staff. Administrators only."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.imports import pages

UPLOAD_ROUTE = "imports"
MAX_UPLOAD_BYTES = pages.MAX_UPLOAD_BYTES


def add_routes(router: web.UrlDispatcher) -> None:
    resource = router.add_resource("/imports", name=UPLOAD_ROUTE)
    resource.add_route("GET", pages.import_index)
    resource.add_route("POST", pages.import_upload)
    router.add_get(r"/imports/{job_id:\d{1,18}}", pages.import_job, name="import_job")
    router.add_post(r"/imports/{job_id:\d{1,18}}/run", pages.import_run, name="import_run")
    router.add_get(r"/imports/{job_id:\d{1,18}}/rejected.csv", pages.import_rejected, name="import_rejected")
    router.add_post(r"/imports/{job_id:\d{1,18}}/invites", pages.import_invites, name="import_invites")
    template = r"/imports/template/{kind:[a-z-]{1,32}}.{fmt:(xlsx|csv)}"
    router.add_get(template, pages.import_template, name="import_template")
