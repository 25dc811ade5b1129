"""Typed application keys of the MAX sandbox."""

from __future__ import annotations

from aiohttp import web

from .state import MaxState
from .webhook import WebhookSender

MAX_STATE = web.AppKey("max_sandbox_state", MaxState)
MAX_WEBHOOKS = web.AppKey("max_sandbox_webhooks", WebhookSender)


def public_base(request: web.Request) -> str:
    """The absolute URL of the sandbox root, right when mounted under a prefix too."""
    root = str(request.app.router["max_root"].url_for()).rstrip("/")
    return f"{request.scheme}://{request.host}{root}"
