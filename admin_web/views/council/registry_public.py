"""The public registry of «памятники науки и техники» (no sign-in): published entries, searched by
title, holder or region, paged, each with its own page; Russian or English by ``?lang=``.

The page depends on its URL alone (no cookie, no session, not the visitor's language cookie), so a
cache in between may keep it for a few minutes; entries hold no personal data.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin_web import org_name
from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.security import public
from services.council import registry as entries

CACHE_SECONDS = 300  # an entry changes after a council meeting, not by the minute
LANGUAGES = ("ru", "en")


def _lang(request: web.Request) -> str:
    lang = request.query.get("lang", "")
    return lang if lang in LANGUAGES else request.config_dict[SETTINGS_KEY].locale


def _page(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    # Not ``render``: it opens a session for the CSRF token, and a Set-Cookie would spoil the cache.
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@public
async def registry(request: web.Request) -> web.StreamResponse:
    lang = _lang(request)
    current_locale.set(lang)  # this request's task only
    query = request.query.get("q", "").strip()[: entries.SEARCH_LIMIT]
    page = int(request.query["page"]) if request.query.get("page", "").isdigit() else 1
    found = await entries.search(request[DB_KEY], query, page=page)
    context = {
        "locale": lang,
        "other_lang": "en" if lang == "ru" else "ru",
        "org_name": await org_name.current(request),
        "found": found,
        "q": query,
    }
    return _page(request, "council/public_registry.html", context)


@public
async def entry(request: web.Request) -> web.StreamResponse:
    lang = _lang(request)
    current_locale.set(lang)
    found = await entries.public_entry(request[DB_KEY], int(request.match_info["entry_id"]))
    context = {
        "locale": lang,
        "other_lang": "en" if lang == "ru" else "ru",
        "org_name": await org_name.current(request),
        "entry": found,
    }
    return _page(request, "council/public_entry.html", context, status=200 if found else 404)
