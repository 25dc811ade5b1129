"""The same handlers serve MAX users: end to end against the MAX sandbox."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import BufferedInputFile, InputMediaDocument, InputMediaPhoto

from bot.attachments import download
from bot.max.factory import create_max_bot, set_max_commands
from services.messengers import max_address
from tests.bot.assignments_support import PDF, PNG_1
from tests.bot.conftest import RESIDENT_MENU, get_user, make_invite, make_staff
from tests.bot.max_support import max_keyboard_texts


async def test_start_shows_the_resident_menu_as_buttons(new_max_chat) -> None:
    chat = await new_max_chat("Мария")
    reply = await chat.send("/start")
    assert reply["body"]["text"].startswith("Здравствуйте, Мария!")
    assert max_keyboard_texts(reply) == RESIDENT_MENU


async def test_a_menu_button_sends_its_label(new_max_chat) -> None:
    chat = await new_max_chat()
    menu = await chat.send("/menu", expect="Выберите действие")
    pressed = await chat.press(menu, "Помощь")
    assert pressed["kind"] == "message"
    assert "Команды" in (await chat.reply())["body"]["text"]


async def test_deep_link_binds_staff(new_max_chat, session_factory) -> None:
    user_id = await make_staff(session_factory)
    token = await make_invite(session_factory, user_id)
    chat = await new_max_chat("Анна")
    reply = await chat.start(f"inv_{token}", expect="Готово")
    assert "Готово, Петрова Анна Сергеевна!" in reply["body"]["text"]
    user = await get_user(session_factory, user_id)
    assert user.telegram_id == chat.user_id == max_address(chat.native_id)


async def test_plain_start_without_payload(new_max_chat) -> None:
    chat = await new_max_chat("Пётр")
    reply = await chat.start(expect="Здравствуйте")
    assert reply["body"]["text"].startswith("Здравствуйте, Пётр!")


async def test_callback_button_is_answered(new_max_chat) -> None:
    chat = await new_max_chat()
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, "Язык")
    choice = await chat.reply("Выберите язык")
    pressed = await chat.press(choice, "English")
    assert pressed["kind"] == "callback"
    await chat.callback_answer(pressed["callback_id"])
    menu = await chat.reply("Language changed: English.")
    assert "Help" in max_keyboard_texts(menu)


async def test_html_arrives_as_max_html(new_max_chat) -> None:
    chat = await new_max_chat("<b>Хакер</b> & Co")
    reply = await chat.send("/start")
    assert reply["format"] == "html"
    assert "&lt;b&gt;Хакер&lt;/b&gt; &amp; Co" in reply["body"]["text"]


async def test_long_text_is_split_on_lines(new_max_chat, max_bot, max_client) -> None:
    chat = await new_max_chat()
    await chat.send("/start", expect="Здравствуйте")
    lines = [f"Строка {i:04d} " + "х" * 80 for i in range(100)]  # ~9000 characters
    sent = await max_bot.send_message(chat.user_id, "\n".join(lines), parse_mode=None)
    texts = [m["body"]["text"] for m in await max_client.bot_messages(chat.native_id)][-3:]
    assert all(len(t) <= 4000 for t in texts)
    assert "\n".join(texts).split("\n") == lines
    assert isinstance(sent.message_id, int)


async def test_blocked_user_raises_forbidden(new_max_chat, max_bot, max_client) -> None:
    chat = await new_max_chat()
    await chat.send("/start", expect="Здравствуйте")
    await max_client.block(chat.native_id)
    with pytest.raises(TelegramForbiddenError):
        await max_bot.send_message(chat.user_id, "Вы здесь?")


async def test_a_message_id_survives_a_restart(
    new_max_chat, max_bot, max_client, max_settings, session_factory
) -> None:
    chat = await new_max_chat()
    await chat.send("/start", expect="Здравствуйте")
    sent = await max_bot.send_message(chat.user_id, "Идёт работа: 10 %")
    restarted = create_max_bot(max_settings, session_factory)  # new session, empty caches
    try:
        await restarted.edit_message_text("Готово: 100 %", chat_id=chat.user_id, message_id=sent.message_id)
    finally:
        await restarted.session.close()
    [edited] = [m for m in await max_client.bot_messages(chat.native_id) if m["edited"]]
    assert edited["body"]["text"] == "Готово: 100 %"


async def test_429_is_waited_out(new_max_chat, max_bot, max_client) -> None:
    chat = await new_max_chat()
    await chat.send("/start", expect="Здравствуйте")
    await max_client.inject_faults("messages", 429, count=2)
    sent = await max_bot.send_message(chat.user_id, "После паузы")
    assert sent.text == "После паузы"
    assert (await max_client.bot_messages(chat.native_id))[-1]["body"]["text"] == "После паузы"


async def test_photos_and_albums_are_uploaded(new_max_chat, max_bot, max_client) -> None:
    chat = await new_max_chat()
    await chat.send("/start", expect="Здравствуйте")
    photo = await max_bot.send_photo(chat.user_id, BufferedInputFile(PNG_1, "a.png"), caption="<b>Фото</b>")
    assert photo.photo and photo.photo[-1].file_id.startswith("max:")
    album = await max_bot.send_media_group(
        chat.user_id,
        [
            InputMediaPhoto(media=BufferedInputFile(PNG_1, "1.png"), caption="Альбом"),
            InputMediaPhoto(media=photo.photo[-1].file_id),  # a file id is reused
            InputMediaDocument(media=BufferedInputFile(PDF, "act.pdf")),
        ],
    )
    assert len(album) == 3 and album[0].message_id
    last = (await max_client.bot_messages(chat.native_id))[-1]
    kinds = [a["type"] for a in last["body"]["attachments"]]
    assert kinds == ["image", "image", "file"] and last["body"]["text"] == "Альбом"


async def test_a_document_downloads_through_get_file(max_bot, max_client) -> None:
    native = 5_900_001
    await max_client.register_user(user_id=native, first_name="Ольга")
    await max_client.send_media(native, files=[(PDF, "act.pdf")], text="Акт")
    updates = await max_bot.get_updates(timeout=1)
    [message] = [u.message for u in updates if u.message and u.message.document]
    assert message.caption == "Акт" and message.document.file_name == "act.pdf"
    assert message.from_user.id == message.chat.id == max_address(native)
    data = await download(max_bot, message.document.file_id)
    assert data == PDF


async def test_commands_location_and_chat_actions(new_max_chat, max_bot, max_client) -> None:
    await set_max_commands(max_bot)
    me = await max_bot.get_me()
    assert me.is_bot and me.id == max_address(9_000_001)
    chat = await new_max_chat()
    await chat.send("/start", expect="Здравствуйте")
    assert await max_bot.send_chat_action(chat.user_id, "typing")
    sent = await max_bot.send_location(chat.user_id, latitude=55.75, longitude=37.61)
    assert sent.location is not None
    assert "yandex.ru/maps" in (await max_client.bot_messages(chat.native_id))[-1]["body"]["text"]
