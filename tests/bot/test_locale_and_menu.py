"""Languages, the role-aware menu, /help, /menu and the profile."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommandScopeAllPrivateChats

from bot.factory import set_bot_commands
from tests.bot.conftest import RESIDENT_MENU, get_user, keyboard_texts, make_invite, make_staff


async def test_english_staff_member_gets_english(new_chat, session_factory) -> None:
    user_id = await make_staff(session_factory, full_name="John Smith", roles=("executor",), locale="en")
    chat = await new_chat("John")

    reply = await chat.send(f"/start inv_{await make_invite(session_factory, user_id)}")
    assert reply["text"].startswith("Done, John Smith! Your Telegram account is now linked")
    assert "Roles: executor" in reply["text"]
    assert keyboard_texts(reply) == [
        "Profile",
        "Share phone",
        "My assignments",
        "🎟 Events",
        "🛠 Service request",
        "🛠 My service requests",
        "📝 Forms and applications",
        "Language",
        "Help",
    ]

    reply = await chat.send("/start")
    assert (
        reply["text"].startswith("Hello, John Smith!")
        and "You are signed in as a staff member" in reply["text"]
    )
    reply = await chat.send("/help")
    assert "/cancel — cancel the current action" in reply["text"]
    assert "You are a staff member (executor)" in reply["text"]
    reply = await chat.send("/cancel")
    assert reply["text"] == "There is nothing to cancel."


async def test_staff_language_choice_is_stored_on_the_user(new_chat, session_factory) -> None:
    user_id = await make_staff(session_factory)
    chat = await new_chat()
    bound = await chat.send(f"/start inv_{await make_invite(session_factory, user_id)}", expect="Готово")

    await chat.press(bound, "Язык")
    choose = await chat.reply("Выберите язык бота")
    assert keyboard_texts(choose) == ["Русский", "English"]
    query_id = await chat.press(choose, "English")
    assert (await chat.callback_answer(query_id))["answered"]
    changed = await chat.reply("Language changed")
    assert changed["text"] == "Language changed: English."
    assert keyboard_texts(changed) == [
        "Profile",
        "Share phone",
        "New assignment",
        "My assignments",
        "Under control",
        "🎟 Events",
        "🛠 Service request",
        "🛠 My service requests",
        "Statistics",
        "📝 Forms and applications",
        "Language",
        "Help",
    ]
    assert (await get_user(session_factory, user_id)).locale == "en"

    reply = await chat.send("/start")
    assert reply["text"].startswith("Hello, Петрова Анна Сергеевна!")
    # An old Russian keyboard still works after the switch.
    profile = await chat.send("Профиль")
    assert profile["text"].startswith("Your profile")


async def test_resident_language_survives_cancel(new_chat) -> None:
    chat = await new_chat()
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, "Язык")
    await chat.press(await chat.reply("Выберите язык"), "English")
    menu = await chat.reply("Language changed: English.")

    await chat.press(menu, "Share phone")
    await chat.press(await chat.reply("Consent to the processing of personal data"), "✅ I agree")
    await chat.reply("Please share your phone number")
    assert (await chat.send("/cancel"))["text"] == "Action cancelled."
    reply = await chat.send("/start")
    assert (
        reply["text"].startswith("Hello, Иван!")
        and "official bot of the local administration" in reply["text"]
    )


async def test_profiles(new_chat, session_factory) -> None:
    resident = await new_chat("Ольга")
    menu = await resident.send("/start", expect="Здравствуйте")
    await resident.press(menu, "Профиль")
    assert (await resident.reply())["text"] == "Ваш профиль\nИмя: Ольга\nТелефон: —"

    user_id = await make_staff(
        session_factory, roles=("dispatcher",), department="Единая дежурно-диспетчерская служба"
    )
    chat = await new_chat()
    bound = await chat.send(f"/start inv_{await make_invite(session_factory, user_id)}", expect="Готово")
    await chat.press(bound, "Профиль")
    text = (await chat.reply())["text"]
    assert "ФИО: Петрова Анна Сергеевна" in text
    assert "Подразделение: Единая дежурно-диспетчерская служба" in text
    assert "Роли: диспетчер" in text


async def test_names_are_html_escaped(new_chat) -> None:
    chat = await new_chat("<b>Хакер</b> & Co")
    reply = await chat.send("/start")
    assert reply["text"].startswith("Здравствуйте, <b>Хакер</b> & Co!")


async def test_help_and_menu_for_residents(new_chat) -> None:
    chat = await new_chat()
    reply = await chat.send("/help")
    assert "/start — начать сначала" in reply["text"]
    assert "«Указать телефон» — оставить номер телефона для связи" in reply["text"]
    assert "ссылку-приглашение" in reply["text"]
    reply = await chat.send("/menu")
    assert reply["text"] == "Выберите действие в меню ниже."
    assert keyboard_texts(reply) == RESIDENT_MENU
    await chat.press(reply, "Помощь")
    assert "Команды" in (await chat.reply())["text"]


async def test_bot_commands_in_both_languages(bot: Bot) -> None:
    await set_bot_commands(bot)
    scope = BotCommandScopeAllPrivateChats()
    ru = await bot.get_my_commands(scope=scope, language_code="ru")
    en = await bot.get_my_commands(scope=scope, language_code="en")
    default = await bot.get_my_commands(scope=scope)
    assert [c.command for c in ru] == [
        "start",
        "menu",
        "help",
        "cancel",
        "applications",
        "subscribe",
        "unsubscribe",
    ]
    assert ru[3].description == "Отменить текущее действие"
    assert en[3].description == "Cancel the current action"
    assert ru[5].description == "Получать рассылку новостей"
    assert en[6].description == "Stop the news mailings"
    assert default == ru  # users with other languages see Russian
