"""Logging set-up: readable lines (default) or one JSON object per line for a log collector.

A JSON record carries ``time``, ``level``, ``logger``, ``message`` and, while an update is handled,
its ``update_id`` and ``user_id`` (services/log_context.py); a traceback goes in ``exc``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from services.log_context import CURRENT_UPDATE

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update = CURRENT_UPDATE.get()
        if update is not None:
            entry["update_id"] = update.update_id
            entry["user_id"] = update.user_id
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(level: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler])
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # APScheduler logs every job run at INFO; our jobs log what they did themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
