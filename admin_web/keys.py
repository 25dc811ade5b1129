"""Typed keys for everything the panel keeps on the application and on each request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.identity import CurrentUser
from admin_web.ratelimit import SlidingWindowLimiter
from porucheno.settings import Settings
from services.offload import Offload

HealthCheck = Callable[[], Awaitable[bool]]
# Run by ``render`` on every page: (request, the page's context) -> more context. A block that needs
# data of its own (a checklist named by the page) loads it here, so the page names it and no more.
RenderHook = Callable[[web.Request, dict[str, Any]], Awaitable[dict[str, Any]]]

SETTINGS_KEY = web.AppKey("porucheno.settings", Settings)
SESSION_FACTORY_KEY = web.AppKey("porucheno.session_factory", async_sessionmaker[AsyncSession])
HEALTH_CHECKS_KEY = web.AppKey("porucheno.health_checks", Mapping[str, HealthCheck])
JINJA_ENV_KEY = web.AppKey("porucheno.jinja_env", jinja2.Environment)
LOGIN_LIMITER_KEY = web.AppKey("porucheno.login_limiter", SlidingWindowLimiter)  # per address and login
LOGIN_ACCOUNT_LIMITER_KEY = web.AppKey("porucheno.login_account_limiter", SlidingWindowLimiter)  # per login
# Demo links, set only when a sandbox is mounted/given: its chat page and its personas page.
SANDBOX_CHAT_URL_KEY = web.AppKey("porucheno.sandbox_chat_url", str)
MAX_SANDBOX_CHAT_URL_KEY = web.AppKey("porucheno.max_sandbox_chat_url", str)
SANDBOX_PERSONAS_URL_KEY = web.AppKey("porucheno.sandbox_personas_url", str)
# The render pool for charts and spreadsheets (services/offload.py); absent in tests that build the
# panel alone, where rendering falls back to a thread.
OFFLOAD_KEY = web.AppKey("porucheno.offload", Offload)

DB_KEY = web.RequestKey("porucheno.db", AsyncSession)
USER_KEY = web.RequestKey("porucheno.user", CurrentUser)
LOCALE_KEY = web.RequestKey("porucheno.locale", str)
CSRF_TOKEN_KEY = web.RequestKey("porucheno.csrf_token", str)
RENDER_HOOKS_KEY = web.AppKey("porucheno.render_hooks", Sequence[RenderHook])
