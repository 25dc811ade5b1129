"""The demo town as a resident meets it: every address example the bot shows is found as typed, and
a location shared near a demo building offers that building (issue #12, item 5)."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.demo_seed import BUILDINGS, demo_personas, seed_demo
from tests.bot.conftest import Chat


async def _seed(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        assert await seed_demo(session)
        await session.commit()


def _examples(text: str) -> list[str]:
    hint = next(line for line in text.splitlines() if "например" in line or "for example" in line)
    return re.findall(r"«([^»]+)»", hint)


async def _add_address(chat: Chat, menu: dict, button: str = "Мои адреса") -> dict:
    await chat.press(menu, button)
    return await chat.reply("Чтобы добавить адрес")


async def test_the_bots_own_address_examples_are_found_in_the_demo_town(new_chat, session_factory) -> None:
    await _seed(session_factory)
    chat = await new_chat("Ольга")
    menu = await chat.send("/start", expect="Здравствуйте")
    examples = _examples((await _add_address(chat, menu))["text"])
    assert len(examples) >= 2
    for example in examples:
        done = await chat.send(example)
        assert done["text"].startswith("Готово! Уведомления об отключениях по адресу ул. Ленина"), example
        await _add_address(chat, done)


async def test_a_location_near_a_demo_building_offers_it(new_chat, client, session_factory) -> None:
    await _seed(session_factory)
    assert all(lat is not None and lon is not None for *_, lat, lon in BUILDINGS)
    chat = await new_chat("Пётр")
    menu = await chat.send("/start", expect="Здравствуйте")
    await _add_address(chat, menu)
    street, _key, house, *_, lat, lon = BUILDINGS[1]  # ул. Ленина, 7
    await client.send_location(chat.user_id, lat + 0.0002, lon + 0.0001)  # about 25 m away
    offer = await chat.reply("Ближайший дом")
    assert f"Ближайший дом — {street}, {house} (примерно в" in offer["text"]
    await chat.press(offer, "✅ Да, это мой адрес")
    await chat.reply(f"Готово! Уведомления об отключениях по адресу {street}, {house}")


async def test_the_dispatchers_house_examples_are_found_in_the_demo_town(
    client, polling, session_factory
) -> None:
    await _seed(session_factory)
    dispatcher_id = next(p.telegram_id for p in demo_personas() if p.role == "dispatcher")
    await client.register_user(user_id=dispatcher_id, first_name="Денис")
    d = Chat(client, dispatcher_id)
    await d.send("/start", expect="Здравствуйте")
    ask = await d.send("Новое отключение", expect="аварийное или плановое")
    await d.press(ask, "🛠 Плановое отключение")
    await d.press(await d.reply("Что отключено?"), "♨️ горячая вода")
    prompt = await d.reply("Напишите название улицы")
    examples = re.search(r"номера домов: (.+?)\. ", prompt["text"])
    assert examples is not None
    await d.send("Ленина", expect="ул. Ленина")
    # «1-15, 2-20 чёт, 5, 7, 9к1»: a range, one side of a range, a list of houses.
    for example in ("1-15", "2-20 чёт", "5, 7, 9к1"):
        assert example in examples.group(1)
        picker = await d.send(example, expect="На этой улице выбрано")
        assert "не найдены" not in picker["text"], example
