"""Bot API methods → MAX requests, and MAX answers → what aiogram expects back.

The registry and shared helpers are in bot/max/calls.py; importing this module registers every
translator (bot/max/sending.py, bot/max/bot_calls.py)."""

from __future__ import annotations

from bot.max import bot_calls, sending
from bot.max.calls import HANDLERS, execute, target, text_and_format

__all__ = ["HANDLERS", "bot_calls", "execute", "sending", "target", "text_and_format"]
