"""``porucheno run --workers 2`` as a real process tree: starts, answers a webhook, carries a
conversation (its state in Redis), stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from models.db import create_engine
from porucheno.settings import Settings
from porucheno.workers import connection_budget_problem, worker_problems
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from tests.bot.appeals_support import open_form
from tests.bot.conftest import Chat
from tests.sandbox_support import running_sandbox

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7654321:WORKERS-test-token-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_two_workers_serve_a_webhook_and_stop_on_sigterm(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with running_sandbox(SandboxConfig()) as sandbox, SandboxClient(sandbox.base_url) as client:
        hook = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PORUCHENO_")},
            "PYTHONPATH": str(ROOT),
            "PORUCHENO_DATABASE_URL": database_url,
            "PORUCHENO_REDIS_URL": redis_url,
            "PORUCHENO_BOT_TOKEN": TOKEN,
            "PORUCHENO_BOT_API_URL": sandbox.base_url,
            "PORUCHENO_WEBHOOK_URL": f"http://127.0.0.1:{hook}/tg/hook",
            "PORUCHENO_WEBHOOK_SECRET": "workers-test-secret",
            "PORUCHENO_WEBHOOK_PORT": str(hook),
            "PORUCHENO_ADMIN_PORT": str(_free_port()),
            "PORUCHENO_SECRET_KEY": "workers-test-secret-key-0123456789abcdef",
            "PORUCHENO_FILES_DIR": str(tmp_path / "files"),
            "PORUCHENO_LOCALE": "ru",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "porucheno", "run", "--workers", "2", env=env, cwd=tmp_path
        )
        try:
            user = await client.register_user(first_name="Вера")
            await client.send_text(user["id"], "/start")  # queued until worker 0 sets the webhook
            reply = await client.wait_for(user["id"], contains="Здравствуйте", timeout=60)
            assert reply["text"].startswith("Здравствуйте, Вера!")
            # A form goes on step by step: each answer finds the state the previous one left.
            chat = Chat(client, user["id"])
            await open_form(chat, "Опишите проблему")
            await chat.send("Во дворе не горит фонарь", expect="Символов в тексте: 24")
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=40) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


def test_several_workers_need_postgres_redis_and_a_webhook() -> None:
    cfg = Settings(_env_file=None, database_url="sqlite+aiosqlite:///x.sqlite3", bot_token=TOKEN)  # type: ignore[call-arg]
    problems = " ".join(worker_problems(cfg))
    for setting in ("PORUCHENO_DATABASE_URL", "PORUCHENO_REDIS_URL", "PORUCHENO_WEBHOOK_URL"):
        assert setting in problems
    ok = cfg.model_copy(
        update={
            "database_url": "postgresql+asyncpg://db/x",
            "redis_url": "redis://r/0",
            "webhook_url": "https://example.org/hook",
        }
    )
    assert worker_problems(ok) == []


async def test_workers_pools_are_checked_against_max_connections(database_url: str) -> None:
    cfg = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    assert cfg.pool_size == cfg.update_concurrency + 5  # the updates, and the sender, scheduler, panel
    assert await connection_budget_problem(cfg, 1) is None
    problem = await connection_budget_problem(cfg, 1000)
    assert problem is not None
    assert f"1000 workers may open {1000 * cfg.connections_per_process}" in problem
    for advice in ("PORUCHENO_UPDATE_CONCURRENCY", "PORUCHENO_DATABASE_POOL_SIZE", "max_connections"):
        assert advice in problem
    smaller = cfg.model_copy(update={"database_pool_size": 2, "database_max_overflow": 0})
    assert smaller.connections_per_process == 2
    assert await connection_budget_problem(smaller, 10) is None
    # A server that cannot be asked (down, or a pooler without SHOW) is not a reason to refuse.
    down = cfg.model_copy(update={"database_url": "postgresql+asyncpg://nobody@127.0.0.1:1/x"})
    assert await connection_budget_problem(down, 1000) is None


async def test_the_service_pool_holds_what_update_concurrency_needs(database_url: str) -> None:
    cfg = Settings(_env_file=None, database_url=database_url, update_concurrency=7)  # type: ignore[call-arg]
    engine = create_engine(cfg.database_url, pool_size=cfg.pool_size, max_overflow=cfg.database_max_overflow)
    try:
        assert (engine.pool.size(), engine.pool._max_overflow) == (12, 5)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
