"""``GET /metrics``: the process's Prometheus metrics (services/metrics.py), on the panel's port and
on the webhook's (porucheno/runtime.py), where each worker process answers for itself.

Open by default, as exporters usually are; with PORUCHENO_METRICS_TOKEN set, only a scrape with
``Authorization: Bearer <token>`` gets them (the panel is often reachable from the internet).
"""

from __future__ import annotations

import hmac

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.security import Handler, public
from services.metrics import CONTENT_TYPE, Metrics


def metrics_handler(
    metrics: Metrics, session_factory: async_sessionmaker[AsyncSession], token: str = ""
) -> Handler:
    expected = f"Bearer {token}".encode()

    @public
    async def handler(request: web.Request) -> web.StreamResponse:
        if token and not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        async with session_factory() as session:
            body = await metrics.render(session)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})

    return handler
