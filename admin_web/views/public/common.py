"""What the public pages share: rate limiters, the visitor's address, dates in the page language."""

from __future__ import annotations

import math
from datetime import datetime

from aiohttp import web
from babel.dates import format_date

from admin_web.client_address import client_ip as client_ip  # the public views import it from here
from admin_web.i18n import N_, current_locale
from admin_web.keys import SETTINGS_KEY
from admin_web.ratelimit import SlidingWindowLimiter
from admin_web.render import render

# Per process, like the login limiter: the panel runs as one process.
FORM_LIMITER_KEY = web.AppKey("porucheno.public.form_limiter", SlidingWindowLimiter)
FLOOD_LIMITER_KEY = web.AppKey("porucheno.public.flood_limiter", SlidingWindowLimiter)
STATUS_LIMITER_KEY = web.AppKey("porucheno.public.status_limiter", SlidingWindowLimiter)
OPEN311_LIMITER_KEY = web.AppKey("porucheno.public.open311_limiter", SlidingWindowLimiter)

FORM_LIMIT, FORM_WINDOW = 5, 10 * 60  # appeals from one address
FLOOD_LIMIT, FLOOD_WINDOW = 200, 10 * 60  # appeals from everyone: a cap against a botnet
STATUS_LIMIT, STATUS_WINDOW = 20, 10 * 60  # status look-ups from one address (no guessing numbers)
OPEN311_LIMIT, OPEN311_WINDOW = 120, 60  # API calls per key (POST) or per address (GET)
FLOOD_KEY = "all"

# Resident-facing wording of the appeal states (the staff pages keep their own, shorter labels).
STATUS_TEXTS = {
    "received": N_("Received, waiting for registration"),
    "registered": N_("Registered, waiting to be taken into work"),
    "in_work": N_("In work"),
    "answered": N_("An answer has been given"),
    "closed": N_("Closed"),
    "rejected": N_("Left without consideration"),
    "redirected": N_("Sent by competence to another body"),
}


def install_limiters(app: web.Application) -> None:
    app[FORM_LIMITER_KEY] = SlidingWindowLimiter(FORM_LIMIT, FORM_WINDOW)
    app[FLOOD_LIMITER_KEY] = SlidingWindowLimiter(FLOOD_LIMIT, FLOOD_WINDOW)
    app[STATUS_LIMITER_KEY] = SlidingWindowLimiter(STATUS_LIMIT, STATUS_WINDOW)
    app[OPEN311_LIMITER_KEY] = SlidingWindowLimiter(OPEN311_LIMIT, OPEN311_WINDOW)


def local_date(request: web.Request, moment: datetime | None) -> str:
    """A UTC moment as a date in the configured zone and the page language: «23 ноября 2026 г.»."""
    if moment is None:
        return ""
    local = moment.astimezone(request.config_dict[SETTINGS_KEY].tz)
    return format_date(local.date(), "long", locale=current_locale.get())


async def too_many(request: web.Request, wait: float) -> web.Response:
    """The friendly 429 page for people (the API answers in its own JSON format)."""
    minutes = max(1, math.ceil(wait / 60))
    response = await render(request, "public/limited.html", {"minutes": minutes}, status=429)
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response
