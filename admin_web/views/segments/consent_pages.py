"""Public pages of the e-mailed consent links: ``/m/confirm/<token>`` and ``/m/optout/<token>``.

No sign-in: the token is the proof. GET only shows a button; the POST acts — mail scanners and link
previews open links, and must not subscribe or unsubscribe anyone by doing so.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.client_address import client_ip
from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import public
from admin_web.views.common import notice_context
from models.enums import MailingConsentStatus
from services.errors import DomainError
from services.mailings import consent_links

TOKEN_MAX = 100


def _token(request: web.Request) -> str:
    token = request.match_info["token"]
    if len(token) > TOKEN_MAX:
        raise web.HTTPNotFound()
    return token


async def _page(request: web.Request, kind: str, state: str, *, status: int = 200) -> web.StreamResponse:
    response = await render(request, "segments/consent_page.html", {"kind": kind, "state": state})
    response.set_status(status)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak to other sites
    return response


@public
async def confirm_page(request: web.Request) -> web.StreamResponse:
    token = _token(request)
    db = request[DB_KEY]
    if request.method != "POST":
        row = await consent_links.by_token(db, token)
        usable = row is not None and row.status == MailingConsentStatus.PENDING
        return await _page(request, "confirm", "ask" if usable else "invalid", status=200 if usable else 404)
    try:
        await consent_links.confirm_by_token(
            db, token, ip=client_ip(request), notify=notice_context(request), locale=current_locale.get()
        )
    except DomainError:
        await db.rollback()
        return await _page(request, "confirm", "invalid", status=404)
    return await _page(request, "confirm", "done")


@public
async def optout_page(request: web.Request) -> web.StreamResponse:
    token = _token(request)
    db = request[DB_KEY]
    if request.method != "POST":
        row = await consent_links.by_token(db, token)
        usable = row is not None and row.status != MailingConsentStatus.WITHDRAWN
        return await _page(request, "optout", "ask" if usable else "invalid", status=200 if usable else 404)
    try:
        await consent_links.withdraw_by_token(db, token, ip=client_ip(request))
    except DomainError:
        await db.rollback()
        return await _page(request, "optout", "invalid", status=404)
    return await _page(request, "optout", "done")


def add_routes(router: web.UrlDispatcher) -> None:
    for path, handler, name in (
        (r"/m/confirm/{token:[A-Za-z0-9_\-]+}", confirm_page, "mailing_confirm"),
        (r"/m/optout/{token:[A-Za-z0-9_\-]+}", optout_page, "mailing_optout"),
    ):
        resource = router.add_resource(path, name=name)
        resource.add_route("GET", handler)
        resource.add_route("POST", handler)
