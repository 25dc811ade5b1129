from bot.middlewares.clean_text import CleanTextMiddleware
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.locale import LocaleMiddleware
from bot.middlewares.observe import ObserveMiddleware

__all__ = ["CleanTextMiddleware", "DbSessionMiddleware", "LocaleMiddleware", "ObserveMiddleware"]
