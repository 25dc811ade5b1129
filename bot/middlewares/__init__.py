from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.locale import LocaleMiddleware

__all__ = ["DbSessionMiddleware", "LocaleMiddleware"]
