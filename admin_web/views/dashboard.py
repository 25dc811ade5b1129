"""Start page: headline numbers."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.render import render
from services.dashboard import dashboard_counts


async def dashboard(request: web.Request) -> web.StreamResponse:
    counts = await dashboard_counts(request[DB_KEY])
    return await render(request, "dashboard.html", {"counts": counts, "section": "dashboard"})
