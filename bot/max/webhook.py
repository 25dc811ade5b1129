"""The MAX webhook: MAX POSTs each update to ``max_webhook_url`` with ``X-Max-Bot-Api-Secret``.

The app checks the secret, translates the update (session.py) and feeds the aiogram dispatcher; on
start it subscribes in the background, retrying while the MAX API is unreachable."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiohttp import web

from bot.max.session import MaxSession
from bot.runner import _retry
from porucheno.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"
DEFAULT_MAX_WEBHOOK_PATH = "/max/webhook"
MAX_WEBHOOK_TASK = web.AppKey("max_webhook_task", asyncio.Task[None])
_FEEDS = web.AppKey("max_feeds", set)


def max_webhook_secret(settings: Settings) -> str | None:
    """The secret MAX echoes in ``X-Max-Bot-Api-Secret`` (derived from secret_key when not set)."""
    if settings.max_webhook_secret:
        return settings.max_webhook_secret
    if settings.secret_key:
        return hmac.new(settings.secret_key.encode(), b"max-webhook", hashlib.sha256).hexdigest()
    return None


def create_max_webhook_app(bot: Bot, dp: Dispatcher, settings: Settings) -> web.Application:
    if not settings.max_webhook_url:
        raise ValueError("PORUCHENO_MAX_WEBHOOK_URL is required for the MAX webhook")
    session = bot.session
    if not isinstance(session, MaxSession):
        raise TypeError("the MAX webhook needs a bot made by create_max_bot")
    path = urlsplit(settings.max_webhook_url).path or DEFAULT_MAX_WEBHOOK_PATH
    secret = max_webhook_secret(settings)
    app = web.Application()
    app[_FEEDS] = set()
    # At most this many updates are handled at once, as under long polling: a burst beyond that waits
    # in its open request for a free slot (an update takes milliseconds) instead of becoming
    # hundreds of tasks queueing for database connections.
    slots = asyncio.Semaphore(settings.update_concurrency)

    async def feed(raw: dict) -> None:  # type: ignore[type-arg]
        try:
            for update in await session.translate(raw, bot):
                await dp.feed_update(bot, update)
        except Exception:
            log.exception("MAX update of type %s failed", raw.get("update_type"))

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is not None and not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"code": "verify.token", "message": "wrong secret"}, status=401)
        try:
            raw = await request.json()
        except ValueError:
            return web.json_response({"code": "bad.request", "message": "not JSON"}, status=400)
        # Answer once a slot is free, before handling: MAX retries webhooks that answer slowly. The
        # update is handled in the background and frees its slot when done.
        await slots.acquire()
        task = asyncio.create_task(feed(raw))
        app[_FEEDS].add(task)
        task.add_done_callback(app[_FEEDS].discard)
        task.add_done_callback(lambda _task: slots.release())
        return web.json_response({"success": True})

    app.router.add_post(path, receive)

    async def subscribe() -> None:
        try:
            await _retry(
                lambda: bot.set_webhook(url=settings.max_webhook_url or "", secret_token=secret),
                "MAX subscription",
            )
        except Exception as exc:
            log.error("MAX subscription to %s failed: %s", settings.max_webhook_url, exc)
            return
        log.info("MAX webhook set to %s", settings.max_webhook_url)

    async def on_startup(app: web.Application) -> None:
        app[MAX_WEBHOOK_TASK] = asyncio.create_task(subscribe())

    async def on_cleanup(app: web.Application) -> None:
        task = app[MAX_WEBHOOK_TASK]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if app[_FEEDS]:
            await asyncio.gather(*app[_FEEDS], return_exceptions=True)

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
