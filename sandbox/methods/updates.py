"""getUpdates long polling and webhook configuration."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from ..errors import ApiError, bad_request
from ..records import WebhookConfig
from .base import Described, Handler, MethodCall

MAX_POLL_TIMEOUT = 50
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _remember_allowed_updates(call: MethodCall) -> None:
    allowed = call.params.obj("allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON array")
        call.bot.allowed_updates = [str(kind) for kind in allowed] or None


async def get_updates(call: MethodCall) -> list[dict[str, Any]]:
    bot, state = call.bot, call.state
    if bot.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = call.params.integer("offset", 0) or 0
    limit = min(max(call.params.integer("limit", 100) or 100, 1), 100)
    timeout = min(max(call.params.number("timeout", 0) or 0, 0), MAX_POLL_TIMEOUT)
    _remember_allowed_updates(call)
    # Confirm: a positive offset forgets updates below it; a negative one keeps only the last -offset.
    if offset > 0:
        while bot.updates and bot.updates[0]["update_id"] < offset:
            bot.updates.popleft()
    elif offset < 0:
        while len(bot.updates) > -offset:
            bot.updates.popleft()
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.notifier.notify()  # an older long poll of this bot must now give up
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if generation != bot.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        state.drop_disallowed(bot)
        remaining = deadline - asyncio.get_running_loop().time()
        if bot.updates or remaining <= 0 or bot.webhook is not None:
            return list(bot.updates)[:limit]
        await bot.notifier.wait(remaining)


async def set_webhook(call: MethodCall) -> Described:
    bot, params = call.bot, call.params
    url = params.string("url") or ""
    if not url:
        return await delete_webhook(call)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.string("secret_token")
    if secret is not None and secret != "" and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    _remember_allowed_updates(call)
    if params.flag("drop_pending_updates"):
        bot.updates.clear()
    unchanged = (
        bot.webhook is not None and bot.webhook.url == url and bot.webhook.secret_token == (secret or None)
    )
    bot.webhook = WebhookConfig(url, secret or None, params.integer("max_connections", 40) or 40)
    if call.state.webhooks is not None:
        call.state.webhooks.configure(bot)
    bot.notifier.notify()  # a pending getUpdates must end
    return Described(True, "Webhook is already set" if unchanged else "Webhook was set")


async def delete_webhook(call: MethodCall) -> Described:
    bot = call.bot
    if call.params.flag("drop_pending_updates"):
        bot.updates.clear()
    existed = bot.webhook is not None
    bot.webhook = None
    if call.state.webhooks is not None:
        call.state.webhooks.configure(bot)
    return Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")


async def get_webhook_info(call: MethodCall) -> dict[str, Any]:
    bot, hook = call.bot, call.bot.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    if hook:
        info |= {"max_connections": hook.max_connections, "ip_address": "127.0.0.1"}
        if hook.last_error_date:
            info |= {"last_error_date": hook.last_error_date, "last_error_message": hook.last_error_message}
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
    return info


METHODS: dict[str, Handler] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
