"""Build the Telegram types and methods the bot uses before it serves.

With aiogram's types built on first use (porucheno/lazy_aiogram.py) the first update would pay for
``Update`` (~70 ms) and the first reply for ``SendMessage``; some methods take ~100 ms to build
(``EditMessageText``, ``SendMediaGroup``). Built once per process, at start, no update waits for a
build and the event loop is never held by one. Where aiogram built everything at import this costs
a few microseconds.
"""

from __future__ import annotations

from aiogram import methods, types

# What the bot receives, and every method it calls (handlers, the outbox sender, start-up).
USED_TYPES = (
    types.Update,
    types.Message,
    types.CallbackQuery,
    types.InlineKeyboardMarkup,
    types.ReplyKeyboardMarkup,
)
USED_METHODS = (
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


def warm_telegram_types() -> None:
    for model in (*USED_TYPES, *USED_METHODS):
        model.model_rebuild()  # None at once when already built
