"""The one signature every aiogram middleware's ``__call__`` receives as ``handler``: named once so the
middlewares of bot/ spell it the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject

NextHandler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
