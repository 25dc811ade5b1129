"""An organisation that may not use Telegram runs the whole service with a MAX token alone."""

from __future__ import annotations

import asyncio
import socket

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno import runtime
from porucheno.settings import Settings
from sandbox.max.client import MaxSandboxClient
from tests.test_settings_cli import _run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_service_runs_in_max_alone(
    max_settings: Settings,
    max_client: MaxSandboxClient,
    session_factory: async_sessionmaker[AsyncSession],  # the schema is in place
) -> None:
    settings = max_settings.model_copy(
        update={"bot_token": "", "admin_port": _free_port(), "max_bot_username": "porucheno_bot"}
    )
    service = await runtime.build_service(settings)
    assert service.bot is None and service.sender is None and service.max_bot is not None
    serving = asyncio.create_task(runtime.serve(service))
    try:
        user = await max_client.register_user(first_name="Мария")
        await max_client.start(user["user_id"])
        greeting = await max_client.wait_for(user["user_id"], contains="Здравствуйте", timeout=15)
        assert "Мария" in greeting["body"]["text"]
    finally:
        service.stop_event.set()
        await asyncio.wait_for(serving, timeout=20)


def test_run_accepts_a_max_token_instead_of_telegrams(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"PORUCHENO_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PORUCHENO_MAX_TOKEN": "max-token"}
    result = _run("run", env=env)
    assert result.returncode == 2
    assert "PORUCHENO_SECRET_KEY" in result.stderr  # past the token check
    result = _run("run", env={**env, "PORUCHENO_SECRET_KEY": "k" * 40})
    assert result.returncode == 2 and "PORUCHENO_MAX_BOT_USERNAME" in result.stderr
    assert _run("run", env={"PORUCHENO_DATABASE_URL": env["PORUCHENO_DATABASE_URL"]}).returncode == 2
