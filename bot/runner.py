"""Running the bot: long polling, or a webhook served by aiohttp.

Both wait out a Bot API that is unreachable at start (network down, sandbox still starting) with
backoff, logging one line instead of a traceback per attempt. A wrong token is not retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.polling import ConfirmingDispatcher
from bot.update_dedup import update_claims
from bot.webhook_handler import OnceWebhookHandler
from porucheno.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
# Failures worth waiting out; anything else (401 bad token, 400...) is a configuration error.
TRANSIENT = (TelegramNetworkError, TelegramServerError, TelegramRetryAfter, OSError, TimeoutError)
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
WEBHOOK_TASK = web.AppKey("webhook_task", asyncio.Task[None])


async def _retry(
    call: Callable[[], Awaitable[T]],
    what: str,
    *,
    stop_event: asyncio.Event | None = None,
    first_delay: float = 1.0,
    max_delay: float = 30.0,
) -> T | None:
    """``call()`` until it succeeds; None when ``stop_event`` is set first."""
    delay, warned = first_delay, False
    while stop_event is None or not stop_event.is_set():
        try:
            result = await call()
        except TRANSIENT as exc:
            if not warned:
                log.warning(
                    "Bot API unreachable (%s: %s); %s will be retried with backoff",
                    type(exc).__name__,
                    exc,
                    what,
                )
                warned = True
            if isinstance(exc, TelegramRetryAfter):
                delay = max(delay, float(exc.retry_after))
            if stop_event is None:
                await asyncio.sleep(delay)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop_event.wait(), timeout=delay)
            delay = min(delay * 2, max_delay)
            continue
        if warned:
            log.info("Bot API reachable again; %s done", what)
        return result
    return None


async def run_polling(
    bot: Bot,
    dp: Dispatcher,
    *,
    stop_event: asyncio.Event | None = None,
    polling_timeout: int = 10,
    concurrency: int | None = None,
) -> None:
    """Long-poll until ``stop_event`` is set (or ``dp.stop_polling()`` is called).

    ``concurrency``: at most this many updates are handled at once; the next getUpdates waits for a
    free place. Unbounded, a burst of a few hundred updates became as many tasks queueing for the
    database pool, and the pool opened and closed extra connections for them.
    The bot session is left open: its owner closes it.
    """
    me = await _retry(bot.get_me, "start of polling", stop_event=stop_event)
    if me is None:
        return
    # getUpdates is refused while a webhook is set (e.g. after switching modes).
    await _retry(
        lambda: bot.delete_webhook(drop_pending_updates=False), "removing the webhook", stop_event=stop_event
    )
    log.info("polling as @%s", me.username)
    polling = asyncio.create_task(
        dp.start_polling(
            bot,
            handle_signals=False,
            close_bot_session=False,
            polling_timeout=polling_timeout,
            tasks_concurrency_limit=concurrency,
        )
    )
    try:
        if stop_event is None:
            # Shielded: a cancellation of this task reaching aiogram's start_polling would leave its
            # inner polling task running; the finally below stops it the way aiogram expects.
            await asyncio.shield(polling)
            return
        stopper = asyncio.create_task(stop_event.wait())
        try:
            await asyncio.wait({polling, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not polling.done():
                with contextlib.suppress(RuntimeError):  # somebody else already stopped it
                    await dp.stop_polling()
            await asyncio.shield(polling)
    finally:
        if not polling.done():  # this task was cancelled: polling must not outlive it
            # aiogram's own stop: cancelling start_polling would leave its polling task running.
            with contextlib.suppress(RuntimeError):
                await dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
        if isinstance(dp, ConfirmingDispatcher):
            await dp.confirm_handled(bot)


def webhook_secret(settings: Settings) -> str | None:
    """The secret Telegram echoes in ``X-Telegram-Bot-Api-Secret-Token`` (derived when not set)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    if settings.secret_key:
        # Allowed characters are [A-Za-z0-9_-]: a hex HMAC fits.
        return hmac.new(settings.secret_key.encode(), b"telegram-webhook", hashlib.sha256).hexdigest()
    return None


def create_webhook_app(
    bot: Bot, dp: Dispatcher, settings: Settings, *, set_webhook: bool = True
) -> web.Application:
    """An aiohttp app receiving updates at the path of ``settings.webhook_url``; sets the webhook on
    start (unless ``set_webhook`` is False: with several workers, the first one sets it).

    Each update is answered once handled, at most ``settings.update_concurrency`` at a time, and
    handled once across workers sharing the FSM's Redis (bot/webhook_handler.py)."""
    if not settings.webhook_url:
        raise ValueError("PORUCHENO_WEBHOOK_URL is required for webhook mode")
    path = urlsplit(settings.webhook_url).path or DEFAULT_WEBHOOK_PATH
    secret = webhook_secret(settings)
    app = web.Application()
    OnceWebhookHandler(
        dp,
        bot,
        secret_token=secret,
        claims=update_claims(dp.storage),
        concurrency=settings.update_concurrency,
    ).register(app, path=path)
    setup_application(app, dp, bot=bot)

    async def register_webhook() -> None:
        try:
            await _retry(
                lambda: bot.set_webhook(
                    url=settings.webhook_url or "",
                    secret_token=secret,
                    allowed_updates=dp.resolve_used_update_types(),
                    drop_pending_updates=False,
                ),
                "setWebhook",
            )
        except Exception as exc:  # e.g. Telegram refuses the URL: say so, the server keeps running
            log.error("setWebhook to %s failed: %s", settings.webhook_url, exc)
            return
        log.info("webhook set to %s", settings.webhook_url)

    async def on_startup(app: web.Application) -> None:
        if not set_webhook:
            app[WEBHOOK_TASK] = asyncio.create_task(asyncio.sleep(0))
            return
        # In the background: the server must answer even while the Bot API is still unreachable.
        app[WEBHOOK_TASK] = asyncio.create_task(register_webhook())

    async def on_cleanup(app: web.Application) -> None:
        task = app[WEBHOOK_TASK]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
