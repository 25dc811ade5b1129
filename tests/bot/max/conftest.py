"""The MAX end-to-end fixtures (tests/bot/max_support.py) for the tests in this package."""

from tests.bot.max_support import (  # noqa: F401
    max_bot,
    max_client,
    max_dispatcher,
    max_polling,
    max_sandbox,
    max_settings,
    new_max_chat,
)
