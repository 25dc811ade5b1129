"""Structured logs and error metrics: an update whose handler fails, fed to the real dispatcher.

The JSON log line of the error handler (handlers/errors.py) names the update and its sender, and
``/metrics`` counts the update as an error (services/metrics.py, bot/middlewares/observe.py).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiogram import Router
from aiogram.types import MessageReactionUpdated, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_bot, create_dispatcher
from porucheno.logs import JsonFormatter
from porucheno.settings import Settings
from services.log_context import CURRENT_UPDATE
from services.metrics import Metrics

USER_ID = 700_100_001


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _reaction(update_id: int) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message_reaction": {
                "chat": {"id": USER_ID, "type": "private"},
                "message_id": 5,
                "user": {"id": USER_ID, "is_bot": False, "first_name": "Иван"},
                "date": 1_700_000_000,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            },
        }
    )


async def test_failed_update_is_counted_and_logged_with_its_ids(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], json_log: io.StringIO
) -> None:
    metrics = Metrics()
    dp = create_dispatcher(settings, session_factory, metrics=metrics)
    broken = Router(name="broken")

    @broken.message_reaction()
    async def explode(event: MessageReactionUpdated) -> None:
        logging.getLogger("porucheno.test").info("about to fail")
        raise RuntimeError("boom")

    dp.include_router(broken)
    bot = create_bot(settings)
    try:
        # Its own task, as polling and the webhook give each update.
        await asyncio.create_task(dp.feed_update(bot, _reaction(4242)))
    finally:
        await bot.session.close()
    assert CURRENT_UPDATE.get() is None  # nothing leaked into the caller's context

    records = [json.loads(line) for line in json_log.getvalue().splitlines()]
    mine = next(r for r in records if r["logger"] == "porucheno.test")
    assert mine["message"] == "about to fail" and mine["level"] == "INFO"
    assert (mine["update_id"], mine["user_id"]) == (4242, USER_ID)
    assert mine["time"].endswith("+00:00")
    failure = next(r for r in records if r["logger"] == "handlers.errors")
    assert (failure["update_id"], failure["user_id"]) == (4242, USER_ID)
    assert failure["level"] == "ERROR" and "RuntimeError: boom" in failure["exc"]

    sample = metrics.registry.get_sample_value
    labels = {"messenger": "telegram", "type": "message_reaction"}
    assert sample("porucheno_updates_total", {**labels, "outcome": "error"}) == 1
    assert sample("porucheno_update_seconds_count", labels) == 1
    assert sample("porucheno_handler_errors_total", {"messenger": "telegram", "error": "RuntimeError"}) == 1


def test_a_record_outside_an_update_has_no_ids() -> None:
    record = logging.LogRecord("porucheno", logging.WARNING, __file__, 1, "plain %s", ("text",), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "plain text" and entry["level"] == "WARNING"
    assert "update_id" not in entry and "user_id" not in entry
