"""Checks every Open311 endpoint makes before its work: the rate limit and the jurisdiction."""

from __future__ import annotations

import math

from aiohttp import web

from admin_web.i18n import N_
from admin_web.keys import SETTINGS_KEY
from admin_web.views.public import open311_render as render
from admin_web.views.public.common import OPEN311_LIMITER_KEY, client_ip


def fmt_of(request: web.Request) -> str:
    return render.format_of(request.match_info.get("fmt"))


def limited(request: web.Request, key: object | None = None) -> web.Response | None:
    """Counts the call against ``key`` (the client's address unless given); a 429 once over."""
    limiter = request.config_dict[OPEN311_LIMITER_KEY]
    wait = limiter.acquire(key if key is not None else ("ip", client_ip(request)))  # check and count
    if wait:
        response = render.error(
            fmt_of(request),
            429,
            N_("Too many requests. Try again in %(seconds)d s."),
            seconds=math.ceil(wait),
        )
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    return None


def foreign_jurisdiction(request: web.Request, given: str | None) -> web.Response | None:
    """A 404 when the client names a jurisdiction that is not ours.

    ``jurisdiction_id`` is optional in the spec (it tells cities apart on a shared server); with
    ``PORUCHENO_OPEN311_JURISDICTION`` empty any value is accepted.
    """
    ours = request.config_dict[SETTINGS_KEY].open311_jurisdiction.strip()
    given = (given or "").strip()
    if ours and given and given.casefold() != ours.casefold():
        return render.error(fmt_of(request), 404, N_("There is no jurisdiction %(id)s here."), id=given[:100])
    return None
