"""A resident's language is kept on their Telegram account: it survives a restart of the bot
(a fresh dispatcher with empty FSM storage) and outage notices arrive in it."""

from __future__ import annotations

import itertools

from bot.factory import create_dispatcher
from tests.bot.conftest import Chat, get_account, keyboard_texts, polling_while
from tests.bot.residents_support import deliver, seed_town, start_outage

_ids = itertools.count(790_000_001)


async def test_english_resident_keeps_english_after_restart(
    bot, client, bot_settings, session_factory
) -> None:
    town = await seed_town(session_factory)
    user_id = next(_ids)
    await client.register_user(user_id=user_id, first_name="Emma", language_code="ru")
    chat = Chat(client, user_id)

    async with polling_while(bot, create_dispatcher(bot_settings, session_factory)):
        menu = await chat.send("/start", expect="Здравствуйте")
        await chat.press(menu, "Язык")
        await chat.press(await chat.reply("Выберите язык"), "English")
        await chat.reply("Language changed: English.")
    assert (await get_account(session_factory, user_id)).locale == "en"

    # A new process: new dispatcher, empty memory storage.
    async with polling_while(bot, create_dispatcher(bot_settings, session_factory)):
        menu = await chat.send("/start")
        assert menu["text"].startswith("Hello, Emma!")
        assert "My addresses" in keyboard_texts(menu)
        await chat.press(menu, "My addresses")
        await chat.reply("You do not follow any address yet.")
        done = await chat.send("Lenina 5")  # Latin letters do not match a Russian street
        assert done["text"].startswith("The address «Lenina 5» is not in the register of buildings.")
        done = await chat.send("Ленина 5")
        assert done["text"].startswith("Done! Notices about outages at ул. Ленина, 5 will arrive")

    await start_outage(session_factory, town, ["lenina5"])
    await deliver(bot, session_factory)
    notice = await chat.reply("Emergency outage")
    assert notice["text"].startswith("♨️ ⚠️ Emergency outage: hot water")
    assert "Your addresses: ул. Ленина, 5" in notice["text"]
