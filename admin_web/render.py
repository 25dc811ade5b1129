"""Rendering pages with the context every template needs (user, CSRF token, locale, flashes)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from admin_web import org_name
from admin_web.csrf import CSRF_FIELD, ensure_token
from admin_web.i18n import LOCALE_NAMES, current_locale
from admin_web.keys import (
    DB_KEY,
    MAX_SANDBOX_CHAT_URL_KEY,
    RENDER_HOOKS_KEY,
    SANDBOX_CHAT_URL_KEY,
    SANDBOX_PERSONAS_URL_KEY,
    SETTINGS_KEY,
    USER_KEY,
)
from models import User
from services.service_desk.panel import works_desk


async def flash(request: web.Request, message: str) -> None:
    """Show ``message`` (already translated) on the next rendered page."""
    session = await get_session(request)
    session["flash"] = [*session.get("flash", []), message]


async def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    session = await get_session(request)
    base: dict[str, Any] = {
        "user": request.get(USER_KEY),
        "csrf_field": CSRF_FIELD,
        "csrf_token": await ensure_token(request),
        "locale": current_locale.get(),
        "locales": LOCALE_NAMES,
        "sandbox_url": request.config_dict.get(SANDBOX_CHAT_URL_KEY),
        "max_sandbox_url": request.config_dict.get(MAX_SANDBOX_CHAT_URL_KEY),
        "sandbox_personas_url": request.config_dict.get(SANDBOX_PERSONAS_URL_KEY),
        "timezone": request.config_dict[SETTINGS_KEY].timezone,
        "flashes": session.pop("flash", []),
        "current_path": request.path_qs,
        "section": None,
        # The organisation's (short) name from its card heads every page; empty until it is filled in.
        "org_name": await org_name.current(request),
        # Error pages render after the request's database session is closed: no query then.
        "desk_worker": status < 400 and await _desk_worker(request),
    }
    page = base | (context or {})
    for hook in request.config_dict.get(RENDER_HOOKS_KEY, ()):
        page |= await hook(request, page)
    return aiohttp_jinja2.render_template(template, request, page, status=status)


async def _desk_worker(request: web.Request) -> bool:
    """Whether the menu offers the service desk's queue (agents, managers) or only «My requests»."""
    current, db = request.get(USER_KEY), request.get(DB_KEY)
    if current is None or db is None:
        return False
    user = await db.get(User, current.id)
    return user is not None and await works_desk(db, user)
