"""Task tools in the panel: recurring assignments, assignment templates, service answer templates."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.task_tools import recurring, templates


def add_routes(router: web.UrlDispatcher) -> None:
    recurring.add_routes(router)
    templates.add_routes(router)
