"""One ``AsyncSession`` per request: committed when the handler succeeds (or redirects), else rolled back."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY, SESSION_FACTORY_KEY
from admin_web.security import Handler, Middleware, owns


def db_middleware(app: web.Application) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not owns(request, app):
            return await handler(request)
        # The session connects lazily: static files and /healthz never touch the pool through it.
        async with app[SESSION_FACTORY_KEY]() as session:
            request[DB_KEY] = session
            try:
                response = await handler(request)
            except web.HTTPRedirection:
                await session.commit()  # post/redirect/get: the redirect is the success path
                raise
            await session.commit()
            return response

    return middleware
