"""Friendly error pages: a visitor sees a translated message, never a traceback."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from admin_web.csrf import CsrfFailed
from admin_web.i18n import N_, gettext
from admin_web.render import render
from admin_web.security import Handler, Middleware, owns
from services.errors import NotFound, PermissionDenied

log = logging.getLogger(__name__)

_PAGES: dict[int, tuple[str, str]] = {
    403: (N_("Access denied"), N_("You do not have access to this page.")),
    404: (N_("Page not found"), N_("There is no such page. Check the address or go back to the start page.")),
    405: (N_("Action not allowed"), N_("This address does not accept such a request.")),
    500: (
        N_("Something went wrong"),
        N_("An internal error occurred. It has been logged; please try again later."),
    ),
}
_GENERIC = (N_("Request refused"), N_("The request could not be processed."))
_CSRF = (
    N_("The form has expired"),
    N_("The page was open too long or the form was sent from elsewhere. Reload the page and try again."),
)


async def render_error(
    request: web.Request, status: int, page: tuple[str, str] | None = None
) -> web.Response:
    title, message = page or _PAGES.get(status, _GENERIC)
    try:
        return await render(
            request,
            "error.html",
            {"title": gettext(title), "message": gettext(message), "status": status},
            status=status,
        )
    except Exception:
        log.exception("error page failed to render")
        return web.Response(status=status, text=gettext(message))


def error_middleware(app: web.Application) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not owns(request, app):
            return await handler(request)
        try:
            return await handler(request)
        except CsrfFailed:
            return await render_error(request, 403, _CSRF)
        except PermissionDenied:
            # A service re-checked the rights and refused (say, the role was taken away meanwhile).
            return await render_error(request, 403)
        except NotFound:
            return await render_error(request, 404)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return await render_error(request, exc.status)
        except (asyncio.CancelledError, ConnectionResetError):
            raise
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return await render_error(request, 500)

    return middleware
