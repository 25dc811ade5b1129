"""The Telegram webhook endpoint: answered after the update was handled, at most N at a time.

aiogram's ``SimpleRequestHandler`` answers 200 at once by default and handles the update in a task
of its own. That loses the update when the worker dies before the task ends (Telegram was told it
arrived) and lets a burst become any number of tasks queueing for database connections. Here the
answer waits for the handling, so:

- a worker killed mid-update leaves Telegram without an answer and Telegram delivers it again;
- a failure that escaped the bot's own error handling answers 500, and the update comes again;
- at most ``concurrency`` updates are handled at once per worker; the rest wait in their requests
  (Telegram itself keeps at most ``max_connections`` open per bot);
- with ``claims`` an update_id is handled once across workers (bot/update_dedup.py).
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.update_dedup import Claim, UpdateClaims

log = logging.getLogger(__name__)

# Telegram's retry of an update another worker is still handling: come back later.
BUSY_RETRY_AFTER = "5"


class OnceWebhookHandler(SimpleRequestHandler):
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        secret_token: str | None,
        claims: UpdateClaims | None,
        concurrency: int,
    ) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self.claims = claims
        self._slots = asyncio.Semaphore(concurrency)

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            update = Update.model_validate(
                await request.json(loads=bot.session.json_loads), context={"bot": bot}
            )
        except ValueError as exc:  # bad JSON or not an update: a retry would not be any better
            log.warning("webhook request is not an update: %s", exc)
            return web.Response(status=400, text="Not an update")
        if self.claims is not None:
            state = await self.claims.claim(bot.id, update.update_id)
            if state is Claim.DONE:
                return web.json_response({})
            if state is Claim.BUSY:
                return web.Response(status=503, headers={"Retry-After": BUSY_RETRY_AFTER})
        try:
            async with self._slots:
                result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        except asyncio.CancelledError:  # shutting down: Telegram tries again, on this worker or another
            await asyncio.shield(self._release(bot.id, update.update_id))
            raise
        except Exception:
            # An error past the bot's own handling (the database down before the session opened):
            # the claim goes and Telegram's next try is handled instead of skipped.
            log.exception("update %s failed; Telegram will deliver it again", update.update_id)
            await self._release(bot.id, update.update_id)
            return web.Response(status=500, text="Failed; try again")
        if self.claims is not None:
            try:
                await self.claims.finish(bot.id, update.update_id)
            except Exception:  # handled all the same: the busy claim runs out by itself
                log.warning("could not mark update %s done", update.update_id, exc_info=True)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    async def _release(self, bot_id: int, update_id: int) -> None:
        if self.claims is None:
            return
        try:
            await self.claims.release(bot_id, update_id)
        except Exception:  # Redis gone as well: the claim runs out by itself
            log.warning("could not release the claim on update %s", update_id, exc_info=True)
