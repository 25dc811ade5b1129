"""A resident's free text outside any conversation is offered as an appeal, not «не понял»
(issue #12, item 5); staff keep the fallback's help."""

from __future__ import annotations

import re

from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    REG_NUMBER,
    SEND,
    SKIP,
    agree_to_consent,
    appeals_of,
    catalog_fixture,
    give_name,
)
from tests.bot.conftest import keyboard_texts, make_invite, make_staff

TEXT = "Когда починят дорогу у дома 5 по ул. Ленина? Там яма уже месяц."
OFFER = "✍️ Оформить как обращение"


async def test_free_text_becomes_an_appeal_with_that_text(new_chat, catalog, session_factory) -> None:
    chat = await new_chat("Мария")
    await chat.send("/start", expect="Здравствуйте")
    offer = await chat.send(TEXT)
    assert "не понял" not in offer["text"] and "обращени" in offer["text"]
    assert keyboard_texts(offer) == [OFFER]
    later = await chat.send("И ещё: не горит фонарь.")
    assert keyboard_texts(later) == [OFFER]

    await chat.press(offer, OFFER)  # the first offer: its own text, not the latest one
    await agree_to_consent(chat)
    intro = await chat.reply("Обращение в администрацию")
    assert TEXT in intro["text"]  # the text is already there
    topics = await chat.reply("Выберите тему")
    await chat.press(topics, "Благоустройство")
    # The text step is skipped: the next question is the address.
    ask_address = await chat.reply("Где это?")
    await chat.press(ask_address, SKIP)
    files = await chat.reply("Приложите фото или документы")
    await chat.press(files, SKIP)
    await give_name(chat)
    contact = await chat.reply("Как с вами связаться?")
    await chat.press(contact, SKIP)
    summary = await chat.reply("проверьте перед отправкой")
    assert TEXT in summary["text"]
    await chat.press(summary, SEND)
    done = await chat.reply("Ваше обращение зарегистрировано")
    assert re.search(rf"Регистрационный номер: {REG_NUMBER}", done["text"])
    [appeal] = await appeals_of(session_factory)
    assert appeal.text == TEXT and appeal.category_id == catalog.category_id

    # The offer lost its button when pressed: it cannot start a second appeal.
    [old] = [
        m for m in await chat.client.bot_messages(chat.user_id) if m["message_id"] == offer["message_id"]
    ]
    assert keyboard_texts(old) == []


async def test_staff_and_commands_keep_the_help(new_chat, session_factory) -> None:
    resident = await new_chat("Иван")
    reply = await resident.send("/nosuchcommand")
    assert "не понял" in reply["text"]

    user_id = await make_staff(session_factory, roles=("executor",))
    chat = await new_chat("Анна")
    await chat.send(f"/start inv_{await make_invite(session_factory, user_id)}", expect="Готово")
    reply = await chat.send("когда починят дорогу?")
    assert reply["text"] == "Извините, я не понял сообщение. Пожалуйста, выберите действие в меню ниже."
    assert OFFER not in keyboard_texts(reply)
