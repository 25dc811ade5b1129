"""Run the sandbox on its own port (tests, local experiments)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .app import create_sandbox_app
from .config import SandboxConfig
from .keys import SANDBOX_STATE
from .state import SandboxState


@dataclass
class RunningSandbox:
    runner: web.AppRunner
    base_url: str
    state: SandboxState

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    app = create_sandbox_app(config)
    # A short shutdown timeout: pending long polls must not delay test teardown.
    runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]  # the real port when port=0
    return RunningSandbox(runner, f"http://{host}:{bound_port}", app[SANDBOX_STATE])
