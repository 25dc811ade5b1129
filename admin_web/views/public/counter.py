"""The public counter of appeals (Указ № 171 asks bodies to publish figures on their sites).

``/public/appeals/counter.json`` gives the figures (no personal data) with a CORS header so any site
may read them; ``/public/appeals/counter`` is the same as a small HTML page meant for an <iframe>
(it may be framed by any site, unlike the panel); ``/static/appeals-counter.js`` renders the JSON into
a host page. Figures are cached in process for a few minutes per month: the endpoint is anonymous.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

import aiohttp_jinja2
from aiohttp import web

from admin_web.i18n import N_, current_locale, translate_error
from admin_web.keys import DB_KEY
from admin_web.security import public
from admin_web.views.common import zone
from porucheno.i18n import gettext as gettext_in
from services.errors import InvalidInput
from services.sstu.counter import month_figures

CACHE_SECONDS = 300
_CACHE: WeakKeyDictionary[web.Application, dict[tuple[int, int], tuple[float, dict[str, Any]]]] = (
    WeakKeyDictionary()
)
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET"}
# Any site may frame the widget page; it shows public figures only and has no forms or scripts.
FRAME_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors *; "
    "base-uri 'none'; form-action 'none'"
)


# The widget script's words, in the language it asks for (``?lang=``): the catalogs stay the one
# place texts are translated, and the counter page and the script say the same.
LABELS = {
    "received": N_("Received"),
    "registered": N_("Registered"),
    "in_work": N_("Under consideration"),
    "answered": N_("Considered, answered"),
    "redirected": N_("Redirected by competence"),
    "left_without_answer": N_("Left without an answer"),
    "extended": N_("Deadline extended"),
    "sections": N_("Questions by classifier section"),
}
LANGUAGES = ("ru", "en")


def _labels(lang: str, period: str) -> dict[str, str]:
    words = {key: gettext_in(lang, msgid) for key, msgid in LABELS.items()}
    return words | {"title": gettext_in(lang, "Appeals in %(period)s", period=period)}


def _month(request: web.Request) -> tuple[int, int]:
    today = datetime.now(UTC).astimezone(zone(request)).date()
    raw_year, raw_month = request.query.get("year", ""), request.query.get("month", "")
    if not raw_year and not raw_month:
        return today.year, today.month
    if not (raw_year.isdigit() and raw_month.isdigit() and len(raw_year) == 4 and len(raw_month) <= 2):
        raise InvalidInput("Choose a month.")
    return int(raw_year), int(raw_month)


async def _figures(request: web.Request) -> dict[str, Any]:
    year, month = _month(request)
    cache = _CACHE.setdefault(request.app, {})
    hit = cache.get((year, month))
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    data = await month_figures(request[DB_KEY], year, month, tz=zone(request))
    if len(cache) > 240:  # a bound: twenty years of months
        cache.clear()
    cache[(year, month)] = (time.monotonic() + CACHE_SECONDS, data)
    return data


@public
async def counter_json(request: web.Request) -> web.StreamResponse:
    try:
        data = await _figures(request)
    except InvalidInput as exc:
        return web.json_response(
            {"error": translate_error(exc.message, exc.params)}, status=400, headers=CORS
        )
    lang = request.query.get("lang")
    if lang in LANGUAGES:
        data = data | {"labels": _labels(lang, str(data["period"]))}
    headers = CORS | {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    return web.json_response(data, headers=headers, dumps=_dumps)


@public
async def counter_widget(request: web.Request) -> web.StreamResponse:
    try:
        data = await _figures(request)
    except InvalidInput:
        raise web.HTTPBadRequest() from None
    # Not ``render``: it would open a session for the CSRF token, and a Set-Cookie has no place on a
    # page every visitor of the host site loads and proxies may cache.
    response = aiohttp_jinja2.render_template(
        "public/counter.html", request, {"figures": data, "locale": current_locale.get()}
    )
    response.headers["Content-Security-Policy"] = FRAME_CSP
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
