"""``GET /healthz``: liveness of the database and of whatever the runtime registered (bot, scheduler)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from admin_web.keys import HEALTH_CHECKS_KEY, SESSION_FACTORY_KEY, HealthCheck
from admin_web.security import public

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 5.0


async def _run(name: str, check: HealthCheck) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return bool(await check())
    except Exception:
        log.warning("health check %s failed", name, exc_info=True)
        return False


@public
async def healthz(request: web.Request) -> web.StreamResponse:
    session_factory = request.config_dict[SESSION_FACTORY_KEY]

    async def db_check() -> bool:
        async with session_factory() as session:
            await session.execute(text("select 1"))
        return True

    checks: dict[str, HealthCheck] = {"db": db_check, **request.config_dict[HEALTH_CHECKS_KEY]}
    results = await asyncio.gather(*(_run(name, check) for name, check in checks.items()))
    report: dict[str, object] = dict(zip(checks, results, strict=True))
    healthy = all(results)
    body = {"status": "ok" if healthy else "degraded", **report}
    return web.json_response(body, status=200 if healthy else 503, headers={"Cache-Control": "no-store"})
