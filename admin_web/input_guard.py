"""Every request's input made storable before a view sees it, and oversized bodies refused unread.

One middleware, so a new view gets this for free:

- a body larger than the route's cap is answered 413 from its ``Content-Length`` alone, before a
  byte of it is read; a body without a length (chunked) is cut off by aiohttp's streamed cap
  (``client_max_size``), which also answers 413 here instead of a traceback;
- path parameters, query parameters, form fields, multipart text fields and upload file names are
  cleaned by ``services.text_input`` (no NUL or other control characters: PostgreSQL refuses NUL);
- a body that is not a valid form at all gets a clear 400 page.

Form bodies are parsed here once; ``request.post()`` then returns the cleaned fields. aiohttp keeps
the parsed form in ``Request._post`` (one of its declared attributes); setting it is the only way to
hand views a cleaned copy without every view calling a helper. ``tests/web/test_hostile_input.py``
pins this behaviour, so an aiohttp upgrade that changes it fails loudly.
"""

from __future__ import annotations

import logging

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from admin_web.errors import render_error
from admin_web.i18n import N_
from admin_web.security import Handler, Middleware, owns
from admin_web.views.public import OPEN311_PREFIX, open311_render
from services.text_input import clean_line, clean_text

log = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
TOO_LARGE = (
    N_("The request is too large"),
    N_("The data sent is larger than this page accepts. Send less text or smaller files."),
)
NOT_A_FORM = (N_("Request refused"), N_("The data sent could not be read as a form."))
TOO_LARGE_API = N_("The request is too large: at most %(size)d bytes.")
NOT_A_FORM_API = N_("The request body could not be read as a form.")


def input_guard_middleware(app: web.Application) -> Middleware:
    """Registered after the upload-limit middleware (it raises the cap per route) and before CSRF."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not owns(request, app):  # the mounted sandbox is a fake Telegram, not our intake
            return await handler(request)
        limit = request.client_max_size
        length = request.content_length
        if limit and length is not None and length > limit:
            log.info("refused %s %s: Content-Length %s over %s", request.method, request.path, length, limit)
            response = await _refuse(request, 413, limit)
            # Not kept alive: aiohttp drops what the client still sends (for at most its lingering
            # time) and closes the connection, instead of reading the body as the next request.
            response.force_close()
            return response
        _clean_match_info(request)
        cleaned = _with_clean_query(request)
        if cleaned.method not in ("GET", "HEAD", "OPTIONS") and cleaned.content_type in FORM_TYPES:
            try:
                posted = await cleaned.post()
            except web.HTTPRequestEntityTooLarge:
                return await _refuse(cleaned, 413, limit)
            except ValueError:  # a malformed multipart or urlencoded body
                return await _refuse(cleaned, 400, limit)
            cleaned._post = _clean_form(posted)  # see the module docstring
        try:
            return await handler(cleaned)
        finally:
            if cleaned is not request:
                # The outer middlewares hold the original request: hand them what the view stored
                # on the copy (above all a session started by signing in).
                for key, value in cleaned.items():
                    request[key] = value

    return middleware


def _clean_match_info(request: web.Request) -> None:
    match_info = request.match_info
    for key, value in list(match_info.items()):
        if isinstance(value, str):
            cleaned = clean_line(value)
            if cleaned != value:
                match_info[key] = cleaned


def _with_clean_query(request: web.Request) -> web.Request:
    query = request.query
    if all(clean_line(k) == k and clean_text(v) == v for k, v in query.items()):
        return request
    cleaned = MultiDict((clean_line(k), clean_text(v)) for k, v in query.items())
    return request.clone(rel_url=request.rel_url.with_query(cleaned))


def _clean_form(
    posted: MultiDictProxy[str | bytes | web.FileField],
) -> MultiDictProxy[str | bytes | web.FileField]:
    cleaned: MultiDict[str | bytes | web.FileField] = MultiDict()
    for key, value in posted.items():
        if isinstance(value, str):
            value = clean_text(value)
        elif isinstance(value, web.FileField):
            value = web.FileField(
                name=clean_line(value.name),
                filename=clean_line(value.filename),
                file=value.file,
                content_type=clean_line(value.content_type),
                headers=value.headers,
            )
        cleaned.add(clean_line(key), value)
    return MultiDictProxy(cleaned)


async def _refuse(request: web.Request, status: int, limit: int) -> web.Response:
    if request.path.startswith(OPEN311_PREFIX):  # API clients get the spec's errors (XML or JSON)
        fmt = open311_render.format_of(request.match_info.get("fmt"))
        if status == 413:
            return open311_render.error(fmt, 413, TOO_LARGE_API, size=limit)
        return open311_render.error(fmt, status, NOT_A_FORM_API)
    return await render_error(request, status, TOO_LARGE if status == 413 else NOT_A_FORM)
