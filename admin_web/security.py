"""Sessions, sign-in state, access rules and security headers.

Sessions are aiohttp-session ``EncryptedCookieStorage`` (Fernet: AES + HMAC) with a key derived
from ``settings.secret_key``; sign-in issues a fresh one, so a session cannot be fixated. A signed-in
cookie also carries a random session id that must be open in the ``web_sessions`` table
(services/web_sessions.py): an encrypted cookie alone cannot be taken back, so without the table a
copy made before signing out would stay valid. Signing out closes the session; a new password or
deactivation closes all of the user's sessions. Each request re-reads the user, so a role change
applies at once.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from aiohttp import web
from aiohttp.web_urldispatcher import StaticResource
from aiohttp_session import get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from admin_web.identity import CurrentUser
from admin_web.keys import DB_KEY, USER_KEY
from models import User
from models.enums import Role
from porucheno.settings import Settings
from services import web_sessions

SESSION_COOKIE = "porucheno_session"
SESSION_MAX_AGE = 12 * 3600  # one working day; Fernet also rejects older cookies on decrypt
MIN_SECRET_LENGTH = 32
MAX_NEXT_LENGTH = 2048

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Handler)

_PUBLIC_ATTR = "_porucheno_public"
_ROLES_ATTR = "_porucheno_roles"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def is_https(settings: Settings) -> bool:
    return (settings.public_url or "").lower().startswith("https://")


def derive_key(secret_key: str, purpose: str) -> bytes:
    if len(secret_key) < MIN_SECRET_LENGTH:
        raise ValueError(f"PORUCHENO_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters long")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"porucheno:{purpose}".encode())
    return hkdf.derive(secret_key.encode())


def make_session_storage(settings: Settings) -> EncryptedCookieStorage:
    fernet = Fernet(base64.urlsafe_b64encode(derive_key(settings.secret_key, "admin-session")))
    return EncryptedCookieStorage(
        fernet,
        cookie_name=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=is_https(settings),
    )


def security_headers(settings: Settings) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    headers = dict(SECURITY_HEADERS)
    if is_https(settings):
        headers["Strict-Transport-Security"] = "max-age=31536000"

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        # setdefault: a mounted sub-app (the sandbox) may deliberately set its own policy.
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        # A page made to be framed on other sites (the public counter, the outage map) says so in its
        # own CSP; X-Frame-Options has no way to allow every site and would contradict it.
        if "frame-ancestors *" in response.headers.get("Content-Security-Policy", ""):
            response.headers.popall("X-Frame-Options", None)
        # Pages, exports and file downloads carry personal data: no browser or proxy may keep a
        # copy. Only the versioned static files (CSS, JS, icons) are cacheable.
        if not isinstance(request.match_info.route.resource, StaticResource):
            response.headers.setdefault("Cache-Control", "no-store")

    return on_prepare


def owns(request: web.Request, app: web.Application) -> bool:
    """True when ``app`` itself (not a mounted sub-app) serves the request."""
    apps = request.match_info.apps
    return not apps or apps[-1] is app


def public(handler: H) -> H:
    """Let anonymous visitors reach a handler; everything else requires a signed-in user."""
    setattr(handler, _PUBLIC_ATTR, True)
    return handler


def requires_role(*roles: Role) -> Callable[[H], H]:
    """Restrict a handler to these roles (administrators always pass)."""

    def decorate(handler: H) -> H:
        setattr(handler, _ROLES_ATTR, frozenset(roles))
        return handler

    return decorate


def password_stamp(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:32]


async def sign_in(request: web.Request, user: User) -> None:
    """Start a brand-new session for ``user``; the anonymous one (and its CSRF token) is dropped."""
    token = await web_sessions.open_session(
        request[DB_KEY], user, lifetime=timedelta(seconds=SESSION_MAX_AGE)
    )
    session = await new_session(request)
    session["uid"] = user.id
    session["sid"] = token
    session["stamp"] = password_stamp(user.password_hash)


async def sign_out(request: web.Request) -> None:
    """End the session on the server too: the same cookie, replayed later, is refused."""
    session = await get_session(request)
    await web_sessions.close_session(request[DB_KEY], session.get("sid"))
    session.invalidate()


def safe_next(value: Any) -> str:
    """The one check for every redirect target taken from input: a same-origin path, else ``/``.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/<TAB>/evil"
    and "/<BACKSLASH>evil" would both lead to //evil, another host. Anything with a scheme, a host,
    a backslash, whitespace or a control character (in the path also once percent-decoded) is
    refused rather than repaired.
    """
    if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_NEXT_LENGTH:
        return "/"
    # The value arrives decoded once; the path is also checked decoded once more (defence in depth),
    # the query may legitimately carry encoded spaces.
    path = value.split("?", 1)[0].split("#", 1)[0]
    for candidate in (value, unquote(path)):
        if (
            candidate.startswith("//")
            or "\\" in candidate
            or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in candidate)
        ):
            return "/"
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return "/"
    return value


def auth_middleware(app: web.Application) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not owns(request, app):
            return await handler(request)
        session = await get_session(request)
        uid = session.get("uid")
        if uid is not None:
            user = await request[DB_KEY].get(User, uid)
            if (
                user is not None
                and user.is_active
                and session.get("stamp") == password_stamp(user.password_hash)
                and await web_sessions.is_open(request[DB_KEY], session.get("sid"), user.id)
            ):
                request[USER_KEY] = CurrentUser.of(user)
            else:
                session.invalidate()
        match_info = request.match_info
        route_handler = match_info.handler
        if (
            getattr(match_info, "http_exception", None) is not None
            or isinstance(match_info.route.resource, StaticResource)
            or getattr(route_handler, _PUBLIC_ATTR, False)
        ):
            return await handler(request)
        current = request.get(USER_KEY)
        if current is None:
            target = request.path_qs if request.method == "GET" else "/"
            raise web.HTTPSeeOther(app.router["login"].url_for().with_query(next=target))
        roles: frozenset[Role] | None = getattr(route_handler, _ROLES_ATTR, None)
        if roles and not current.has_role(*roles):
            raise web.HTTPForbidden()
        return await handler(request)

    return middleware
