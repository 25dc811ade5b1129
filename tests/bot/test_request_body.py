"""Requests leave as one JSON body (bot/response_types.py), the menu keyboard worked out once."""

from __future__ import annotations

import json
from typing import Any

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from bot.response_types import BotSession


def _aiogram_fields(session: BotSession, bot: Bot, method: SendMessage) -> dict[str, Any]:
    """What aiogram's own form encoding would carry, as plain values."""
    prepared = {
        key: session.prepare_value(value, bot=bot, files={}, _dumps_json=False)
        for key, value in method.model_dump(warnings=False).items()
    }
    return {key: value for key, value in prepared.items() if value not in (None, "")}


def _menu(*labels: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=labels[0]), KeyboardButton(text=labels[1], request_contact=True)]],
        resize_keyboard=True,
        is_persistent=True,
    )


async def test_a_menu_sent_again_or_redrawn_goes_out_as_aiogram_would_send_it() -> None:
    session = BotSession()
    bot = Bot("123456:TEST-token", session=session)
    try:
        russian = _menu("Профиль", "Указать телефон")
        for menu in (russian, russian, _menu("Profile", "Share phone"), russian):
            method = SendMessage(chat_id=7, text="Меню", reply_markup=menu)
            body = json.loads(session.build_form_data(bot, method)._value)
            assert body == _aiogram_fields(session, bot, method)
            assert body["reply_markup"]["keyboard"][0][0]["text"] == menu.keyboard[0][0].text
    finally:
        await session.close()
