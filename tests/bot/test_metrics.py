"""``/metrics`` reflects what the bot, the outbox sender and the scheduler did (services/metrics.py).

Updates go through the sandbox and the real polling loop; the metrics are read the way Prometheus
reads them, over HTTP from the panel.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import pytest
from aiogram import Bot
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from bot.factory import create_dispatcher
from bot.outbox_sender import OutboxSender
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from scheduler.factory import SchedulerHealth, create_scheduler
from services import outbox
from services.metrics import Metrics
from tests.bot.conftest import Chat, polling_while

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@asynccontextmanager
async def panel(
    settings: Settings, factory: async_sessionmaker[AsyncSession], metrics: Metrics
) -> AsyncIterator[TestClient]:
    app = create_admin_app(settings, factory, metrics=metrics)
    async with TestClient(TestServer(app)) as http:
        yield http


async def scrape(http: TestClient, **headers: str) -> Samples:
    response = await http.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples: Samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    """The reply reaches the user before the update's commit and metrics: wait for them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, "metrics never caught up"
        await asyncio.sleep(0.02)


async def test_updates_latency_and_outbox_on_metrics(
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    bot: Bot,
    client: SandboxClient,
) -> None:
    metrics = Metrics()
    dp = create_dispatcher(bot_settings, session_factory, metrics=metrics)
    resident = (await client.register_user(first_name="Иван"))["id"]
    blocker = (await client.register_user(first_name="Пётр"))["id"]
    handled = ("porucheno_updates_total", {"messenger": "telegram", "type": "message", "outcome": "handled"})

    def seen() -> float:
        return metrics.registry.get_sample_value(handled[0], handled[1]) or 0.0

    async with polling_while(bot, dp):
        chat = Chat(client, resident)
        await chat.send("/start")
        await chat.send("/help")
        await eventually(lambda: seen() == 2)

    async with session_factory() as session:
        await outbox.enqueue_many(
            session, [outbox.text_message(resident, "Новость"), outbox.text_message(blocker, "Новость")]
        )
        await session.commit()
    await client.block(blocker)

    async with panel(bot_settings, session_factory, metrics) as http:
        before = await scrape(http)
        assert value(before, "porucheno_outbox_pending", messenger="telegram") == 2
        assert value(before, "porucheno_outbox_pending", messenger="max") == 0
        assert value(before, *handled[:1], **handled[1]) == 2
        latency = {"messenger": "telegram", "type": "message"}
        assert value(before, "porucheno_update_seconds_count", **latency) == 2
        assert value(before, "porucheno_update_seconds_sum", **latency) > 0
        assert value(before, "porucheno_update_seconds_bucket", le="5.0", **latency) == 2
        assert (
            value(before, "porucheno_handler_errors_total", messenger="telegram", error="RuntimeError") == 0
        )

        sender = OutboxSender(bot, session_factory, global_rate=100, metrics=metrics)
        await sender.drain()
        after = await scrape(http)
    assert sender.stats["sent"] == 1 and sender.stats["blocked"] == 1  # the plain counters still count
    assert value(after, "porucheno_outbox_pending", messenger="telegram") == 0
    assert value(after, "porucheno_outbox_sent_total", messenger="telegram") == 1
    assert value(after, "porucheno_outbox_blocked_total", messenger="telegram") == 1
    assert value(after, "porucheno_outbox_retry_after_total", messenger="telegram") == 0


async def test_metrics_token_is_required_when_set(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-me")})
    async with panel(guarded, session_factory, Metrics()) as http:
        assert (await http.get("/metrics")).status == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        assert "porucheno_outbox_pending" in str(await scrape(http, Authorization="Bearer scrape-me"))


async def test_scheduler_job_runs_are_counted(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    metrics = Metrics()
    scheduler = create_scheduler(settings, session_factory, SchedulerHealth(), metrics)
    scheduler.remove_all_jobs()  # the real jobs are not what is tested here

    ran: list[str] = []

    async def works() -> None:
        await asyncio.sleep(0.05)
        ran.append("works")

    async def fails() -> None:
        raise RuntimeError("boom")

    now = datetime.now(settings.tz)
    scheduler.add_job(works, "interval", hours=1, id="works", next_run_time=now)
    scheduler.add_job(fails, "interval", hours=1, id="fails", next_run_time=now)

    def runs(job: str, outcome: str) -> float:
        return (
            metrics.registry.get_sample_value(
                "porucheno_scheduler_job_runs_total", {"job": job, "outcome": outcome}
            )
            or 0.0
        )

    scheduler.start()
    try:
        await eventually(lambda: runs("works", "ok") == 1 and runs("fails", "error") == 1)
    finally:
        scheduler.shutdown(wait=False)
    assert ran == ["works"]  # the counted run is the job's real run
    assert runs("works", "error") == 0 and runs("fails", "ok") == 0

    def sample(name: str, job: str) -> float | None:
        return metrics.registry.get_sample_value(name, {"job": job})

    # Timed from its start to its end, both runs; a success is stamped, a failure is not.
    assert sample("porucheno_scheduler_job_seconds_count", "works") == 1
    assert 0.05 <= (sample("porucheno_scheduler_job_seconds_sum", "works") or 0) < 5
    assert sample("porucheno_scheduler_job_seconds_count", "fails") == 1
    stamped = sample("porucheno_scheduler_job_last_success_seconds", "works") or 0
    assert abs(stamped - now.timestamp()) < 60
    assert sample("porucheno_scheduler_job_last_success_seconds", "fails") is None
