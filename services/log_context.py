"""Which update the current code runs for: read by the JSON log format (porucheno/logs.py).

Set by the bot's update middleware (bot/middlewares/observe.py). Each update is handled in an asyncio
task of its own (polling and webhook alike) and a task copies the context it starts with, so the
value stays with its update and needs no clean-up between updates.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UpdateContext:
    update_id: int | None
    user_id: int | None  # the sender's chat address (services/messengers.py), when there is a sender


CURRENT_UPDATE: ContextVar[UpdateContext | None] = ContextVar("porucheno_update", default=None)
