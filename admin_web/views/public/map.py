"""The public map of current outages and incidents, for residents and the administration's site.

``/public/map`` is a page meant to be opened or framed by any site (like the appeals counter): a
plain list by street and house that needs no JavaScript and no tiles, and above it a Leaflet map
(vendored, ``/static/vendor/leaflet``) that ``/static/public-map.js`` draws only when a tile server
is configured (``PORUCHENO_MAP_TILE_URL``) and its tiles load. ``/public/map.json`` is the same data
with a CORS header. No cookies are set: the page is anonymous and may be cached briefly.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import aiohttp_jinja2
from aiohttp import web

from admin_web import org_name
from admin_web.i18n import current_locale, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.security import public
from porucheno.settings import Settings
from services.errors import InvalidInput
from services.incidents.kinds import KIND_EMOJI, kind_name
from services.incidents.public import (
    INCIDENTS_FILTER,
    MAX_STREET_FILTER,
    Picture,
    check_filter,
    current_picture,
    social_houses,
)
from services.incidents.public_json import picture_json
from services.notify import Translator
from services.outages.resources import all_resources, resource_name, social_type_name

CACHE_SECONDS = 60  # outages change by the minute; a short cache still spares a busy site's visitors
PICTURE_SECONDS = 15  # in process, per filter
CACHE_ENTRIES = 200
_CACHE: WeakKeyDictionary[web.Application, dict[tuple[str, str], tuple[float, Picture]]] = WeakKeyDictionary()
LANGUAGES = ("ru", "en")
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET"}


def frame_csp(settings: Settings) -> str:
    """Any site may frame the page; scripts and styles come from us, images also from the tiles."""
    images = "'self' data:"
    tiles = tile_origin(settings.map_tile_url)
    if tiles:
        images += f" {tiles}"
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; "
        "frame-ancestors *; base-uri 'none'; form-action 'self'; object-src 'none'"
    )


def tile_origin(url: str) -> str:
    """The tile server as a CSP source: ``https://{s}.tile.example.org/...`` → ``https://*.tile.example.org``."""
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _lang(request: web.Request) -> str:
    """``?lang=``, else the configured language: not the visitor's cookie, so that the answer
    depends on the URL alone and a cache in between never hands one visitor another's language."""
    lang = request.query.get("lang", "")
    return lang if lang in LANGUAGES else request.config_dict[SETTINGS_KEY].locale


async def _picture(request: web.Request, resource: str | None, street: str | None) -> Picture:
    """The picture, kept for a few seconds per filter: the page is anonymous and a busy site's
    visitors would otherwise each cost four queries."""
    cache = _CACHE.setdefault(request.app, {})
    key = (resource or "", street or "")
    hit = cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    picture = await current_picture(request[DB_KEY], now=datetime.now(UTC), resource=resource, street=street)
    if len(cache) >= CACHE_ENTRIES:  # free-text streets could otherwise grow it without end
        cache.clear()
    cache[key] = (time.monotonic() + PICTURE_SECONDS, picture)
    return picture


def _street(request: web.Request) -> str:
    return request.query.get("street", "").strip()[:MAX_STREET_FILTER]


@public
async def map_json(request: web.Request) -> web.StreamResponse:
    lang = _lang(request)
    try:
        picture = await _picture(request, request.query.get("resource") or None, _street(request) or None)
    except InvalidInput as exc:
        current_locale.set(lang)
        return web.json_response(
            {"error": translate_error(exc.message, exc.params)}, status=400, headers=CORS
        )
    data = picture_json(picture, Translator(lang), request.config_dict[SETTINGS_KEY].tz)
    headers = CORS | {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    return web.json_response(data, headers=headers, dumps=_dumps)


@public
async def map_page(request: web.Request) -> web.StreamResponse:
    settings: Settings = request.config_dict[SETTINGS_KEY]
    lang = _lang(request)
    current_locale.set(lang)  # this request's task only: the page in the language asked for
    raw_filter = request.query.get("resource", "")
    error = ""
    try:
        chosen = check_filter(raw_filter or None)
    except InvalidInput as exc:
        chosen, error = None, translate_error(exc.message, exc.params)
    street = _street(request)
    picture = await _picture(request, chosen, street or None)
    t = Translator(lang)
    by_street = picture.by_street()
    embed = request.query.get("embed") == "1"
    context: dict[str, Any] = {
        "locale": lang,
        "embed": embed,
        "org_name": await org_name.current(request),
        "picture": picture,
        "by_street": by_street,
        "house_count": sum(len(entries) for _street, entries in by_street),
        "by_resource": picture.by_resource(),
        "social_count": social_houses(picture.outages),
        "filters": _filters(t),
        "chosen": chosen or "",
        "street": street,
        "error": error,
        "map": _map_config(settings) if settings.map_tile_url else None,
        "map_data": picture_json(picture, t, settings.tz) if settings.map_tile_url else None,
        "resource_label": lambda code: resource_name(code, t),
        "incident_label": lambda code: kind_name(code, t),
        "incident_emoji": lambda code: KIND_EMOJI.get(code, "❗"),
        "social_label": lambda code: social_type_name(code, t),
        "other_lang": "en" if lang == "ru" else "ru",
        "INCIDENTS": INCIDENTS_FILTER,
    }
    # Not ``render``: it would open a session for the CSRF token, and a Set-Cookie has no place on a
    # page every visitor of the host site loads and proxies may cache.
    response = aiohttp_jinja2.render_template(
        "public/map.html", request, context, status=400 if error else 200
    )
    response.headers["Content-Security-Policy"] = frame_csp(settings)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _filters(t: Translator) -> list[tuple[str, str]]:
    options = [(r.code, resource_name(r.code, t)) for r in all_resources() if r.active]
    return [*options, (INCIDENTS_FILTER, t("Incidents"))]


def _map_config(settings: Settings) -> dict[str, Any]:
    return {
        "tiles": settings.map_tile_url,
        "attribution": settings.map_tile_attribution,
        "lat": settings.map_center_lat,
        "lon": settings.map_center_lon,
        "zoom": settings.map_zoom,
    }


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
