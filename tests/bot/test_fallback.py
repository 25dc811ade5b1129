"""Leftovers: unsupported content, unknown text, stale buttons, failures."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from tests.bot.conftest import RESIDENT_MENU, keyboard_texts


async def test_sticker_and_voice_outside_a_conversation(new_chat) -> None:
    chat = await new_chat()
    await chat.client.send_sticker(chat.user_id)
    reply = await chat.reply()
    assert reply["text"].startswith("Я понимаю текстовые сообщения и нажатия кнопок.")
    assert keyboard_texts(reply) == RESIDENT_MENU
    await chat.client.send_voice(chat.user_id)
    assert (await chat.reply())["text"].startswith("Я понимаю текстовые сообщения")
    await chat.client.send_location(chat.user_id, 55.75, 37.62)
    assert (await chat.reply())["text"].startswith("Я понимаю текстовые сообщения")


async def test_unknown_command_gets_a_hint_and_the_menu(new_chat) -> None:
    # A resident's free text is offered as an appeal instead (tests/bot/test_free_text_appeal.py).
    chat = await new_chat()
    reply = await chat.send("/nosuchcommand")
    assert reply["text"] == "Извините, я не понял сообщение. Пожалуйста, выберите действие в меню ниже."
    assert keyboard_texts(reply) == RESIDENT_MENU


async def test_stale_button_is_answered_with_an_alert(new_chat, bot: Bot) -> None:
    chat = await new_chat()
    await chat.send("/start", expect="Здравствуйте")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Старое", callback_data="v0:1")]]
    )
    old = await bot.send_message(chat.user_id, "Сообщение со старой кнопкой", reply_markup=markup)

    query_id = await chat.client.press(chat.user_id, old.message_id, text="Старое")
    answer = await chat.callback_answer(query_id)
    assert answer["show_alert"] is True
    assert answer["text"] == "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."


async def test_error_handler_apologises_without_details(new_chat, dispatcher, bot: Bot, caplog) -> None:
    async def boom(message: Message) -> None:
        raise RuntimeError("secret internals")

    async def boom_button(query: CallbackQuery) -> None:
        raise RuntimeError("secret internals")

    # Handlers on the dispatcher itself run before every included router.
    dispatcher.message.register(boom, Command("boom"))
    dispatcher.callback_query.register(boom_button, F.data == "boom")
    chat = await new_chat()

    reply = await chat.send("/boom")
    assert (
        reply["text"] == "Что-то пошло не так, мы уже разбираемся. Пожалуйста, попробуйте ещё раз чуть позже."
    )
    assert "secret internals" not in reply["text"]
    assert "update" in caplog.text and "RuntimeError: secret internals" in caplog.text

    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Жми", callback_data="boom")]])
    sent = await bot.send_message(chat.user_id, "Кнопка", reply_markup=markup)
    answer = await chat.callback_answer(await chat.client.press(chat.user_id, sent.message_id, text="Жми"))
    assert answer["show_alert"] is True and answer["text"].startswith("Что-то пошло не так")
