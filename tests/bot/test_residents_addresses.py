"""Residents follow addresses (typed with a typo, picked from a list, or shared as a location),
see what is cut off there, and unsubscribe."""

from __future__ import annotations

from datetime import timedelta

from models import utcnow
from tests.bot.conftest import keyboard_texts
from tests.bot.residents_support import CTX, follow, followed, seed_town, start_outage

OUTAGE_ITEMS = ["Мои адреса", "Отключения по адресу", "Сообщить об отключении"]


def outage_items(message: dict) -> list[str]:
    """The residents' outage buttons of a main-menu keyboard (other features add their own)."""
    return [t for t in keyboard_texts(message) if t in OUTAGE_ITEMS]


async def test_subscribe_by_text_and_location_then_unsubscribe(new_chat, client, session_factory) -> None:
    town = await seed_town(session_factory)
    chat = await new_chat("Ольга")
    menu = await chat.send("/start", expect="Здравствуйте")
    assert outage_items(menu) == OUTAGE_ITEMS

    await chat.press(menu, "Мои адреса")
    prompt = await chat.reply("Вы пока не подписаны ни на один адрес.")
    assert keyboard_texts(prompt) == ["📍 Отправить местоположение", "Отмена"]
    done = await chat.send("Ленена 5")  # a typo in the street
    assert done["text"].startswith("Готово! Уведомления об отключениях по адресу ул. Ленина, 5 будут")
    assert outage_items(done) == OUTAGE_ITEMS  # the main menu is back

    # A location: the nearest building is offered, and taken only once confirmed.
    await chat.press(done, "Мои адреса")
    await chat.reply("Чтобы добавить адрес")
    await client.send_location(chat.user_id, 55.7601, 37.6302)
    offer = await chat.reply("Ближайший дом — ул. Мира, 10 (примерно в 20 м). Это ваш адрес?")
    await chat.press(offer, "✅ Да, это мой адрес")
    await chat.reply("Готово! Уведомления об отключениях по адресу ул. Мира, 10")

    # Bad input: a point in the middle of nowhere, an unknown address, a street without a house.
    await chat.press(done, "Мои адреса")
    await chat.reply("Чтобы добавить адрес")
    await client.send_location(chat.user_id, 56.5, 38.5)
    assert "В радиусе 200 м от этой точки нет домов" in (await chat.reply())["text"]
    unknown = await chat.send("Несуществующая 1")
    assert unknown["text"].startswith("Адреса «Несуществующая 1» нет в реестре домов.")
    assert "например: «ул. Ленина, 5»" in unknown["text"]
    assert (await chat.send("Ленина"))["text"].startswith("Укажите, пожалуйста, и номер дома.")
    # Ambiguous: both «Садовая 3» and «Садовническая 3» start with «Садов».
    choice = await chat.send("Садов 3")
    assert keyboard_texts(choice) == ["ул. Садовая, 3", "ул. Садовническая, 3"]
    await chat.press(choice, "ул. Садовническая, 3")
    await chat.reply("Готово! Уведомления об отключениях по адресу ул. Садовническая, 3")
    # The same address again is not an error.
    await chat.press(done, "Мои адреса")
    await chat.reply("Чтобы добавить адрес")
    assert (await chat.send("ул. Ленина, д. 5"))["text"].startswith(
        "Вы уже подписаны на адрес ул. Ленина, 5."
    )
    assert await followed(session_factory, chat.user_id) == [
        "ул. Ленина, 5",
        "ул. Мира, 10",
        "ул. Садовническая, 3",
    ]

    await chat.press(done, "Мои адреса")
    listing = await chat.reply("Ваши адреса")
    assert "1. ул. Ленина, 5\n2. ул. Мира, 10\n3. ул. Садовническая, 3" in listing["text"]
    query_id = await chat.press(listing, "✖ Отписаться: ул. Ленина, 5")
    assert (await chat.callback_answer(query_id))["text"] == "Вы отписались от адреса ул. Ленина, 5."
    edited = await chat.reply("Ваши адреса")
    assert "ул. Ленина, 5" not in edited["text"]
    assert keyboard_texts(edited) == ["✖ Отписаться: ул. Мира, 10", "✖ Отписаться: ул. Садовническая, 3"]
    assert await followed(session_factory, chat.user_id) == ["ул. Мира, 10", "ул. Садовническая, 3"]
    assert town.b["lenina5"]  # the town is there; the subscription is gone


async def test_outages_at_my_addresses_and_another_one(new_chat, session_factory) -> None:
    town = await seed_town(session_factory)
    chat = await new_chat()
    menu = await chat.send("/start", expect="Здравствуйте")
    await follow(session_factory, chat.user_id, town.b["lenina5"], town.b["mira10"])
    await start_outage(session_factory, town, ["lenina5", "lenina7"])

    await chat.press(menu, "Отключения по адресу")
    text = (await chat.reply("Отключения по вашим адресам"))["text"]
    now = utcnow().replace(microsecond=0)
    since = CTX.format_dt(now - timedelta(hours=1))
    until = CTX.format_dt(now + timedelta(hours=5))
    assert (
        f"ул. Ленина, 5\n♨️ горячая вода — аварийное\nС {since}\nОжидаемое окончание: {until}\n"
        "Порыв трубы на вводе"
    ) in text
    assert "ул. Мира, 10\nОтключений нет." in text

    # Another address, typed.
    listing = await chat.reply("Отключения по вашим адресам")
    await chat.press(listing, "🔎 Другой адрес")
    await chat.reply("Какой адрес проверить?")
    other = await chat.send("Ленина 7")
    assert other["text"].startswith("ул. Ленина, 7\n♨️ горячая вода — аварийное")
    assert keyboard_texts(other)[0] == "Профиль"  # the main menu is back


async def test_outages_without_subscriptions_asks_for_an_address(new_chat, client, session_factory) -> None:
    await seed_town(session_factory)
    chat = await new_chat()
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, "Отключения по адресу")
    await chat.reply("Какой адрес проверить?")
    await client.send_sticker(chat.user_id)
    await chat.reply("Напишите адрес или отправьте своё местоположение. Для отмены")
    await client.send_location(chat.user_id, 55.7500, 37.6101)
    offer = await chat.reply("Ближайший дом — ул. Ленина, 5")
    await chat.press(offer, "✏️ Нет, напишу адрес")
    await chat.reply("Напишите, пожалуйста, адрес.")
    answer = await chat.send("Мира 10")
    assert answer["text"] == "ул. Мира, 10\nОтключений нет."
