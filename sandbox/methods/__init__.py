"""Bot API method implementations, grouped by topic; ``method_table`` maps lower-cased names."""

from __future__ import annotations

from functools import cache

from .base import Handler


@cache
def method_table() -> dict[str, Handler]:
    from . import bot_settings, edits, media, messages, updates

    table: dict[str, Handler] = {}
    for module in (bot_settings, edits, media, messages, updates):
        table.update({name.lower(): handler for name, handler in module.METHODS.items()})
    return table
