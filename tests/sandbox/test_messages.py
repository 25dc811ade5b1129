"""Text messages, keyboards, edits and Telegram's validation errors, through a real aiogram Bot."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from sandbox.client import SandboxClient, SandboxError
from sandbox.runner import RunningSandbox

from .conftest import BOT_TOKEN


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in buttons]
    )


async def test_get_me_identifies_bot_by_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "sandbox_123456_bot")


async def test_unknown_method_is_404_json(sandbox: RunningSandbox) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.base_url}/bot{BOT_TOKEN}/sendTeleport") as r,
    ):
        assert r.status == 404
        assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_params_accepted_as_query_json_and_urlencoded(
    sandbox: RunningSandbox, user: dict[str, Any]
) -> None:
    url = f"{sandbox.base_url}/bot{BOT_TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"chat_id": user["id"], "text": "query"}) as r:
            assert (await r.json())["result"]["text"] == "query"
        async with http.post(url, json={"chat_id": user["id"], "text": "json"}) as r:
            assert (await r.json())["result"]["text"] == "json"
        async with http.post(url, data={"chat_id": str(user["id"]), "text": "form"}) as r:
            assert (await r.json())["result"]["text"] == "form"


async def test_send_message_with_html_and_keyboard_reaches_transcript(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    sent = await bot.send_message(
        user["id"],
        "<b>Заявка</b> &lt;42&gt;",
        parse_mode="HTML",
        reply_markup=keyboard(("Принять", "accept")),
    )
    assert sent.text == "Заявка <42>"
    assert sent.entities and sent.entities[0].type == "bold"
    [message] = await client.bot_messages(user["id"])
    assert message["html"] == "<b>Заявка</b> &lt;42&gt;"
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "accept"


@pytest.mark.parametrize(
    ("text", "mode", "error"),
    [
        ("<b>unclosed", "HTML", "can't parse entities"),
        ("line<br>break", "HTML", 'Unsupported start tag "br"'),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
        ("Hello.", "MarkdownV2", "Character '.' is reserved"),
        ("*bold", "MarkdownV2", "Can't find end of Bold entity"),
    ],
)
async def test_unbalanced_markup_is_refused(
    bot: Bot, user: dict[str, Any], text: str, mode: str, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_message(user["id"], text, parse_mode=mode)


async def test_text_length_limit_counts_after_entity_parsing(bot: Bot, user: dict[str, Any]) -> None:
    await bot.send_message(user["id"], "a" * 4096)
    await bot.send_message(user["id"], "<b>" + "b" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user["id"], "c" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(user["id"], "<b> </b>", parse_mode="HTML")


async def test_text_length_counts_utf16_units(bot: Bot, user: dict[str, Any]) -> None:
    await bot.send_message(user["id"], "😀" * 2048)  # 4096 UTF-16 units
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user["id"], "😀" * 2048 + "x")


async def test_callback_data_limit_is_64_bytes(bot: Bot, user: dict[str, Any]) -> None:
    await bot.send_message(user["id"], "ok", reply_markup=keyboard(("64", "ж" * 32)))  # 64 UTF-8 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user["id"], "too long", reply_markup=keyboard(("65", "ж" * 32 + "x")))


async def test_unknown_chat_and_blocked_user(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "hello?")
    await client.block(user["id"])
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(user["id"], "hello")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    await client.unblock(user["id"])
    await bot.send_message(user["id"], "welcome back")
    stats = await client.stats()
    assert stats["chats"][str(user["id"])]["forbidden"] == 1
    assert stats["chats"][str(user["id"])]["sent"] == 1


async def test_edit_text_and_not_modified(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    markup = keyboard(("Да", "yes"))
    sent = await bot.send_message(user["id"], "Вопрос", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="Вопрос", chat_id=user["id"], message_id=sent.message_id, reply_markup=markup
        )
    edited = await bot.edit_message_text(text="Ответ принят", chat_id=user["id"], message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=user["id"], message_id=sent.message_id)
    [message] = await client.bot_messages(user["id"])
    assert (message["text"], message["edited"], message["reply_markup"]) == ("Ответ принят", 1, None)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=user["id"], message_id=999)


async def test_copy_reply_and_delete(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    original = await bot.send_message(user["id"], "Оригинал")
    copy = await bot.copy_message(user["id"], user["id"], original.message_id)
    reply = await bot.send_message(
        user["id"], "Ответ", reply_parameters=ReplyParameters(message_id=copy.message_id)
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "Оригинал"
    assert await bot.delete_message(user["id"], original.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(user["id"], original.message_id)
    texts = [(m["text"], m["deleted"]) for m in await client.transcript(user["id"])]
    assert texts == [("Оригинал", True), ("Оригинал", False), ("Ответ", False)]


async def test_press_inline_button_creates_callback_query_and_records_answer(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    sent = await bot.send_message(user["id"], "Выберите", reply_markup=keyboard(("Принять", "task:1:accept")))
    query_id = await client.press(user["id"], sent.message_id, text="Принять")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.id == query_id and query.data == "task:1:accept"
    assert query.from_user.id == user["id"] and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Принято ✅", show_alert=True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id, text="again")
    [recorded] = await client.callback_queries(user["id"])
    assert recorded | {"version": 0} == recorded | {
        "id": query_id,
        "data": "task:1:accept",
        "answered": True,
        "text": "Принято ✅",
        "show_alert": True,
        "version": 0,
    }
    with pytest.raises(SandboxError, match="button not found"):
        await client.press(user["id"], sent.message_id, data="nope")


async def test_reply_keyboard_press_sends_text(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="📋 Мои задачи")]], resize_keyboard=True)
    sent = await bot.send_message(user["id"], "Меню", reply_markup=markup)
    assert (await client.chat(user["id"]))["reply_keyboard"]["keyboard"][0][0]["text"] == "📋 Мои задачи"
    await client.press(user["id"], sent.message_id, text="📋 Мои задачи")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.text == "📋 Мои задачи"


async def test_duplicate_deliveries_are_counted(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    await bot.send_message(user["id"], "Напоминание")
    await bot.send_message(user["id"], "Другое")
    await bot.send_message(user["id"], "Напоминание")
    stats = await client.stats()
    assert stats["duplicates"] == 1
    assert stats["duplicate_samples"][0]["text"] == "Напоминание"
    assert stats["bots"]["123456"]["sent"] == 3
