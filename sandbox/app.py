"""Builds the sandbox aiohttp application (standalone or mounted with ``add_subapp``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from .bot_api import add_bot_api_routes, call_method
from .chat_page import add_page_routes
from .config import SandboxConfig
from .control_api import add_control_routes, control_errors
from .keys import SANDBOX_STATE
from .state import SandboxState
from .webhook import WebhookManager

__all__ = ["SANDBOX_STATE", "create_sandbox_app"]


def create_sandbox_app(config: SandboxConfig | None = None) -> web.Application:
    # Uploads are streamed and size-checked by the sandbox itself (50 MB bots / 2 GB users).
    app = web.Application(middlewares=[control_errors], client_max_size=1024**3)
    state = SandboxState(config or SandboxConfig())
    state.webhooks = WebhookManager(state, call_method)
    app[SANDBOX_STATE] = state

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        yield
        if state.webhooks is not None:
            await state.webhooks.close()

    app.cleanup_ctx.append(lifecycle)
    add_bot_api_routes(app)
    add_control_routes(app)
    add_page_routes(app)
    return app
