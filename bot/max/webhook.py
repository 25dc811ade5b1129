"""The MAX webhook: MAX POSTs each update to ``max_webhook_url`` with ``X-Max-Bot-Api-Secret``.

The app checks the secret, translates the update (session.py) and feeds the aiogram dispatcher; on
start it subscribes in the background, retrying while the MAX API is unreachable.

MAX delivers again an update whose request did not end in 200 (every 30-60 s, for hours), so, as
for Telegram (bot/webhook_handler.py), the answer waits for the handling:

- a worker killed mid-update never answers and MAX delivers the update again;
- a failure past the bot's own error handling answers 500 and the update comes again;
- MAX has no update_id: :func:`bot.max.updates.update_key` names an update by what stays the same
  on every delivery of it, and the claims (bot/update_dedup.py, shared through Redis by several
  workers) make a redelivered update handled once — a retry of one still being handled elsewhere
  is answered 503, of one done 200;
- at most ``update_concurrency`` updates are handled at once; the rest wait in their requests.
"""

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
from bot.max.updates import update_key
from bot.runner import _retry
from bot.update_dedup import Claim, MemoryClaims, UpdateClaims
from porucheno.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"
DEFAULT_MAX_WEBHOOK_PATH = "/max/webhook"
BUSY_RETRY_AFTER = "5"  # a redelivery of an update another worker is still handling
MAX_WEBHOOK_TASK = web.AppKey("max_webhook_task", asyncio.Task[None])


def max_webhook_secret(settings: Settings) -> str | None:
    """The secret MAX echoes in ``X-Max-Bot-Api-Secret`` (derived from secret_key when not set)."""
    if settings.max_webhook_secret:
        return settings.max_webhook_secret
    if settings.secret_key:
        return hmac.new(settings.secret_key.encode(), b"max-webhook", hashlib.sha256).hexdigest()
    return None


def create_max_webhook_app(
    bot: Bot, dp: Dispatcher, settings: Settings, claims: UpdateClaims | None = None
) -> web.Application:
    """``claims``: shared by the workers behind one URL (Redis); an in-process table by default."""
    if not settings.max_webhook_url:
        raise ValueError("PORUCHENO_MAX_WEBHOOK_URL is required for the MAX webhook")
    session = bot.session
    if not isinstance(session, MaxSession):
        raise TypeError("the MAX webhook needs a bot made by create_max_bot")
    path = urlsplit(settings.max_webhook_url).path or DEFAULT_MAX_WEBHOOK_PATH
    secret = max_webhook_secret(settings)
    marks: UpdateClaims = claims if claims is not None else MemoryClaims()
    app = web.Application()
    # At most this many updates are handled at once, as under long polling: a burst beyond that waits
    # in its open request for a free slot (an update takes milliseconds) instead of becoming
    # hundreds of tasks queueing for database connections.
    slots = asyncio.Semaphore(settings.update_concurrency)

    async def handle(raw: dict) -> None:  # type: ignore[type-arg]
        try:
            updates = await session.translate(raw, bot)
        except (KeyError, TypeError, ValueError) as exc:
            # Not an update we can read: a redelivery would be no better. Files' refs that could
            # not be saved (the database down) raise other errors and are tried again.
            log.warning("MAX update of type %s is malformed: %r", raw.get("update_type"), exc)
            return
        for update in updates:
            await dp.feed_update(bot, update)

    async def release(key: int) -> None:
        try:
            await marks.release(bot.id, key)
        except Exception:  # Redis gone as well: the claim runs out by itself
            log.warning("could not release the claim on MAX update %s", key, exc_info=True)

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is not None and not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"code": "verify.token", "message": "wrong secret"}, status=401)
        try:
            raw = await request.json()
        except ValueError:
            raw = None
        if not isinstance(raw, dict):
            return web.json_response({"code": "bad.request", "message": "not an update"}, status=400)
        key = update_key(raw)
        claim = await marks.claim(bot.id, key)
        if claim is Claim.DONE:
            return web.json_response({"success": True})
        if claim is Claim.BUSY:
            return web.json_response(
                {"code": "busy", "message": "being handled"},
                status=503,
                headers={"Retry-After": BUSY_RETRY_AFTER},
            )
        try:
            async with slots:
                await handle(raw)
        except asyncio.CancelledError:  # shutting down: MAX delivers it again, here or to another worker
            await asyncio.shield(release(key))
            raise
        except Exception:
            log.exception("MAX update of type %s failed; MAX will deliver it again", raw.get("update_type"))
            await release(key)
            return web.json_response({"code": "failed", "message": "try again"}, status=500)
        try:
            await marks.finish(bot.id, key)
        except Exception:  # handled all the same: the busy claim runs out by itself
            log.warning("could not mark MAX update %s done", key, exc_info=True)
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

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
