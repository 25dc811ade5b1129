"""A whole resident appeal from MAX through the unchanged handlers: topic (callback), text, a shared
location, an album of three images in ONE MAX message, the own phone through the contact button."""

from __future__ import annotations

import asyncio
import re

from models import Correspondent
from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    ASK_NAME,
    BUILDING_LAT,
    BUILDING_LON,
    DONE,
    NEXT,
    REG_NUMBER,
    SEND,
    appeals_of,
    catalog_fixture,
    files_of,
)
from tests.bot.assignments_support import PNG_1
from tests.bot.max_support import MaxChat, max_keyboard_texts

WRITE = "Написать обращение"
CONSENT = "Согласие на обработку персональных данных"
AGREE = "✅ Согласен"


async def open_form(chat: MaxChat, question: str) -> dict:  # type: ignore[type-arg]
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, WRITE)
    first = await chat.reply()
    if CONSENT in (first["body"].get("text") or ""):
        await chat.press(first, AGREE)
    return await chat.reply(question)


async def test_appeal_with_album_location_and_own_phone(
    new_max_chat, max_client, catalog, session_factory
) -> None:
    chat = await new_max_chat("Мария")
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.reply("Опишите проблему")
    progress = await chat.send("Во дворе не вывозят мусор.", expect="Символов в тексте")
    await chat.press(progress, NEXT)
    ask_address = await chat.reply("Где это?")
    assert "📍 Отправить местоположение" in max_keyboard_texts(ask_address)

    await chat.send_location(BUILDING_LAT + 0.0002, BUILDING_LON)
    offer = await chat.reply("Ближайший дом")
    await chat.press(offer, "✅ Да")
    await chat.reply("Приложите фото или документы")

    images = [(PNG_1 + bytes([i]), f"{i}.png") for i in range(3)]
    await chat.send_media(images=images, text="Фото двора")
    progress = await chat.reply("Альбом получен, приложено файлов: 3.")
    assert "Приложено файлов: 3 из 10" in progress["body"]["text"]
    await asyncio.sleep(1.2)  # the album is acknowledged once
    texts = [
        m["body"]["text"] or "" for m in await max_client.transcript(chat.native_id) if m["side"] == "bot"
    ]
    assert sum("Альбом получен" in t for t in texts) == 1
    await chat.press(progress, DONE)

    # The full name (59-FZ art. 7): typed in MAX as in Telegram.
    await chat.reply(ASK_NAME)
    await chat.send("Иванова Мария Петровна", expect="ФИО: Иванова Мария Петровна")
    ask_contact = await chat.reply("Как с вами связаться?")
    await chat.press(ask_contact, "📱 Поделиться телефоном", phone="+7 999 000-11-22")
    saved = await chat.reply("номер телефона добавлен к обращению и сохранён в вашем профиле")
    assert "Телефон: +79990001122" in saved["body"]["text"]
    await chat.press(saved, DONE)
    summary = await chat.reply("проверьте перед отправкой")
    assert "ФИО: Иванова Мария Петровна" in summary["body"]["text"]
    await chat.press(summary, SEND)
    done = await chat.reply("Ваше обращение зарегистрировано")
    assert re.search(rf"Регистрационный номер: <b>({REG_NUMBER})</b>", done["body"]["text"])

    [appeal] = await appeals_of(session_factory)
    assert appeal.address == "ул. Ленина, 5"
    assert len(await files_of(session_factory, appeal.id)) == 3
    async with session_factory() as session:
        correspondent = await session.get(Correspondent, appeal.correspondent_id)
    assert correspondent is not None and correspondent.telegram_id == chat.user_id
    assert correspondent.phone_normalized == "+79990001122"
    assert correspondent.name == "Иванова Мария Петровна"
    # The own number shared in the appeal is the profile's number too.
    profile = await chat.send("Профиль", expect="Ваш профиль")
    assert "Телефон: +79990001122" in profile["body"]["text"]
