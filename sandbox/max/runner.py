"""Run the MAX sandbox on its own port (tests, local experiments)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .app import create_max_sandbox_app
from .config import MaxSandboxConfig
from .keys import MAX_STATE
from .state import MaxState


@dataclass
class RunningMaxSandbox:
    runner: web.AppRunner
    base_url: str
    state: MaxState

    @property
    def token(self) -> str:
        return self.state.config.token or "max-sandbox-token"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_max_sandbox(
    config: MaxSandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningMaxSandbox:
    app = create_max_sandbox_app(config)
    # A short shutdown timeout: pending long polls must not delay test teardown.
    runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    return RunningMaxSandbox(runner, f"http://{host}:{bound_port}", app[MAX_STATE])
