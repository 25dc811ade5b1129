"""«Write an appeal» end to end: the whole conversation with a photo, a PDF and a shared location
ends in a registration number; the appeal, its files and the correspondent are stored; «My appeals»
lists it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import Correspondent, TelegramAccount
from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    BUILDING_LAT,
    BUILDING_LON,
    DONE,
    MINE,
    NEXT,
    REG_NUMBER,
    SEND,
    appeals_of,
    buttons,
    catalog_fixture,
    files_of,
    give_name,
    open_form,
)
from tests.bot.assignments_support import PDF, PNG_1
from tests.bot.conftest import keyboard_texts

TEXT_1 = "Во дворе дома 5 по ул. Ленина вторую неделю не вывозят мусор."
TEXT_2 = "Контейнеры переполнены, мусор лежит на газоне."


async def test_full_conversation_registers_the_appeal(new_chat, catalog, session_factory) -> None:
    chat = await new_chat("Мария")
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.reply("Тема: Благоустройство")
    await chat.reply("Опишите проблему")

    # The text comes in two messages; each is counted, and «Next» goes on.
    await chat.send(TEXT_1, expect="Символов в тексте")
    progress = await chat.send(TEXT_2, expect="Символов в тексте")
    assert f"Символов в тексте: {len(TEXT_1) + 2 + len(TEXT_2)}" in progress["text"]
    await chat.press(progress, NEXT)
    ask_address = await chat.reply("Где это?")
    assert keyboard_texts(ask_address) == ["📍 Отправить местоположение", "Пропустить", "Отмена"]

    # A shared location is answered with the nearest registered building.
    await chat.client.send_location(chat.user_id, BUILDING_LAT + 0.0002, BUILDING_LON)
    offer = await chat.reply("Ближайший дом")
    assert "ул. Ленина, 5" in offer["text"]
    await chat.press(offer, "✅ Да")
    await chat.reply("Адрес: ул. Ленина, 5")

    # A photo and a PDF in one album: counted once the album is complete.
    await chat.reply("Приложите фото или документы")
    await chat.client.send_album(chat.user_id, [(PNG_1, "yard.png"), (PDF, "act.pdf")])
    progress = await chat.reply("Альбом получен, приложено файлов: 2.")
    assert "Приложено файлов: 2 из 10" in progress["text"]
    await chat.press(progress, DONE)

    # Contacts: the own phone through the button, an e-mail typed.
    await give_name(chat)
    ask_contact = await chat.reply("Как с вами связаться?")
    assert keyboard_texts(ask_contact) == ["📱 Поделиться телефоном", "Пропустить", "Отмена"]
    await chat.press(ask_contact, "📱 Поделиться телефоном")
    saved = await chat.reply("номер телефона добавлен")
    phone = re.search(r"Телефон: (\+7\d{10})", saved["text"])
    assert phone is not None
    saved = await chat.send("Maria.Ivanova@Mail.RU", expect="адрес электронной почты добавлен")
    assert "Эл. почта: maria.ivanova@mail.ru" in saved["text"]
    await chat.press(saved, DONE)

    summary = await chat.reply("проверьте перед отправкой")
    for part in (TEXT_1, TEXT_2, "Тема: Благоустройство", "Адрес: ул. Ленина, 5", "Файлы: 2", phone.group(1)):
        assert part in summary["text"]
    await chat.press(summary, SEND)
    done = await chat.reply("Ваше обращение зарегистрировано")
    number = re.search(rf"Регистрационный номер: ({REG_NUMBER})", done["text"])
    assert number is not None
    assert re.search(r"Ответ будет дан до \d\d\.\d\d\.\d{4} \d\d:\d\d", done["text"])
    assert MINE in keyboard_texts(done)  # back to the main menu

    [appeal] = await appeals_of(session_factory)
    assert appeal.reg_number == number.group(1) and appeal.channel == "telegram"
    assert appeal.text == f"{TEXT_1}\n\n{TEXT_2}"
    assert (appeal.category_id, appeal.building_id) == (catalog.category_id, catalog.building_id)
    assert appeal.address == "ул. Ленина, 5" and appeal.latitude is not None
    # The topic's 10 days, whole days; earlier when the 10th is a day off (the production calendar).
    term = appeal.due_at - appeal.registered_at
    assert timedelta(days=1) <= term <= timedelta(days=10) and term == timedelta(days=term.days)
    stored = await files_of(session_factory, appeal.id)
    assert sorted((f.mime_type, f.size) for f in stored) == sorted(
        [("image/png", len(PNG_1)), ("application/pdf", len(PDF))]
    )
    async with session_factory() as session:
        correspondent = await session.get(Correspondent, appeal.correspondent_id)
        account = await session.scalar(select(TelegramAccount).where(TelegramAccount.id == chat.user_id))
    assert correspondent is not None and account is not None
    assert correspondent.telegram_id == chat.user_id and account.correspondent_id == correspondent.id
    assert (correspondent.phone_normalized, correspondent.email) == (phone.group(1), "maria.ivanova@mail.ru")

    # «My appeals» lists it; its button opens the card.
    await chat.press(done, MINE)
    listing = await chat.reply("Мои обращения")
    assert f"№ {appeal.reg_number} от " in listing["text"] and "зарегистрировано" in listing["text"]
    await chat.press(listing, f"🆕 №{appeal.reg_number}")
    card = await chat.reply(f"Обращение № {appeal.reg_number}")
    assert "Статус: зарегистрировано" in card["text"] and "Тема: Благоустройство" in card["text"]
    assert TEXT_2 in card["text"] and not buttons(card)
