"""Build the Telegram types and methods the bot uses before it serves.

With aiogram's types built on first use (porucheno/lazy_aiogram.py) the first update would pay for
``Update`` (~70 ms) and the first reply for ``SendMessage``; some take ~100 ms to build
(``EditMessageText``, ``SendMediaGroup``). Built once per process when the bot is created, no update
waits for a build and the event loop is never held by one. Where aiogram built everything at import
this costs a few microseconds.

What is used: what the bot receives and the methods it calls through shortcuts (``message.answer``
is ``SendMessage``), listed below, and every aiogram type or method the product's modules import
by name (keyboards, media, commands), found among the loaded modules.
"""

from __future__ import annotations

import functools
import sys

from aiogram import methods, types
from aiogram.methods import TelegramMethod
from aiogram.types import TelegramObject

RECEIVED = (types.Update, types.Message, types.CallbackQuery)
SHORTCUT_METHODS = (
    methods.GetMe,
    methods.GetUpdates,
    methods.SetWebhook,
    methods.DeleteWebhook,
    methods.SetMyCommands,
    methods.SendMessage,
    methods.EditMessageText,
    methods.EditMessageReplyMarkup,
    methods.AnswerCallbackQuery,
    methods.DeleteMessage,
    methods.SendPhoto,
    methods.SendDocument,
    methods.SendMediaGroup,
    methods.SendLocation,
    methods.GetFile,
)
PRODUCT_PACKAGES = frozenset({"bot", "handlers", "scheduler", "services", "porucheno"})


def imported_models() -> set[type]:
    """aiogram types and methods that the product's loaded modules hold by name."""
    found: set[type] = set()
    for name, module in list(sys.modules.items()):
        if module is None or name.partition(".")[0] not in PRODUCT_PACKAGES:
            continue
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and issubclass(value, (TelegramObject, TelegramMethod))
                and value.__module__.startswith("aiogram.")
                and "[" not in value.__name__  # a parametrised generic is built when it is made
            ):
                found.add(value)
    return found


@functools.cache  # once per process: the handlers' modules are all loaded by then
def warm_telegram_types() -> int:
    """Build what the bot uses now; returns how many types and methods that is."""
    models = {*RECEIVED, *SHORTCUT_METHODS, *imported_models()}
    for model in sorted(models, key=lambda model: model.__name__):
        model.model_rebuild()  # None at once when already built
    return len(models)
