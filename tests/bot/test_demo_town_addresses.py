"""The demo town as a resident meets it: every address example the bot shows is found as typed, and
a location shared near a demo building offers that building (issue #12, item 5)."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.demo_seed import BUILDINGS, seed_demo
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
