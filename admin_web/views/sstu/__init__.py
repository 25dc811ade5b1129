"""The ССТУ.РФ monthly report page: pick a month, see the preview and the problems, download the ZIP."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.sstu import page


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/sstu", page.report_page, name="sstu_report")
    router.add_post("/sstu/archive", page.report_download, name="sstu_download")
