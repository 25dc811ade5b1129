"""The panel's forms (issue #16)."""

from __future__ import annotations

from aiohttp import web

from admin_web.render import render
from admin_web.security import requires_role
from models.enums import Role


@requires_role(Role.MANAGER, Role.CLERK)
async def placeholder(request: web.Request) -> web.StreamResponse:
    return await render(request, "forms/placeholder.html", {"section": "forms"})


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/forms", placeholder, name="forms")
