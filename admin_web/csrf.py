"""Synchronizer-token CSRF protection: a random token per session, required on every unsafe request.

SameSite=Lax cookies already stop most cross-site posts; the token also covers same-site origins
and older browsers. The login form is protected too (no login CSRF).
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web
from aiohttp_session import get_session

from admin_web.keys import CSRF_TOKEN_KEY
from admin_web.security import Handler, Middleware, owns

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


async def ensure_token(request: web.Request) -> str:
    """The session's token, creating the session and the token on first use."""
    if CSRF_TOKEN_KEY in request:
        return request[CSRF_TOKEN_KEY]
    session = await get_session(request)
    token = session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    request[CSRF_TOKEN_KEY] = token
    return token


class CsrfFailed(web.HTTPForbidden):
    """Rendered as a 403 page asking to reload the form."""


def csrf_middleware(app: web.Application) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        # Open311 clients authenticate with an API key, not a browser session.
        if request.method in SAFE_METHODS or not owns(request, app) or request.path.startswith("/open311/"):
            return await handler(request)
        session = await get_session(request)
        expected = session.get("csrf")
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            value = (await request.post()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
            raise CsrfFailed()
        return await handler(request)

    return middleware
