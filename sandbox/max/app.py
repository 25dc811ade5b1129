"""Builds the MAX sandbox aiohttp application (standalone or mounted with ``add_subapp``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from .bot_api import add_bot_api_routes, bot_api_guard
from .chat_page import add_page_routes
from .config import MaxSandboxConfig
from .control_api import add_control_routes, control_errors
from .keys import MAX_STATE, MAX_WEBHOOKS
from .state import MaxState
from .webhook import WebhookSender

__all__ = ["MAX_STATE", "create_max_sandbox_app"]


def create_max_sandbox_app(config: MaxSandboxConfig | None = None) -> web.Application:
    app = web.Application(middlewares=[control_errors, bot_api_guard], client_max_size=1024**3)
    state = MaxState(config or MaxSandboxConfig())
    app[MAX_STATE] = state
    app[MAX_WEBHOOKS] = sender = WebhookSender(state)

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        yield
        await sender.close()

    app.cleanup_ctx.append(lifecycle)
    add_bot_api_routes(app)
    add_control_routes(app)
    add_page_routes(app)
    return app
