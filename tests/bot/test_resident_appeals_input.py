"""Bad input in «Write an appeal» gets a clear answer and loses nothing: an empty or too long text,
files of a wrong type or too big, someone else's contact, a wrong e-mail; /cancel; and a double
press of «Send» registers one appeal."""

from __future__ import annotations

from tests.bot.appeals_support import (
    DONE,
    NEXT,
    SEND,
    SKIP,
    appeals_of,
    buttons,
    files_of,
    forge_contact,
    give_name,
    last_bot_message,
    open_form,
    wait_after,
)
from tests.bot.assignments_support import PNG_1, press_data
from tests.bot.conftest import keyboard_texts

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)


async def test_bad_input_is_explained_and_one_appeal_is_registered(
    new_chat, sandbox, session_factory
) -> None:
    chat = await new_chat("Пётр")
    # Without topics in the catalog the conversation starts with the text; /cancel works there.
    prompt = await open_form(chat, "Опишите проблему")
    assert (await chat.send("/cancel"))["text"] == "Действие отменено."
    prompt = await open_form(chat, "Опишите проблему")

    answer = await chat.callback_answer(await chat.press(prompt, NEXT))
    assert "Текст обращения пуст" in answer["text"]
    await chat.client.send_sticker(chat.user_id)
    await chat.reply("Жду текст обращения")

    # Telegram cuts messages at 4096 characters; five of them exceed the 20 000 allowed.
    part = ("Яма на дороге. " * 273).strip()
    size = len(part) * 4 + 3 * 2  # parts are joined with blank lines
    for n in range(1, 5):
        await chat.send(part, expect=f"Символов в тексте: {n * len(part) + (n - 1) * 2}")
    refused = await chat.send(part, expect="не добавлено")
    assert "не более 20000 символов" in refused["text"]
    progress = await last_bot_message(chat, f"Символов в тексте: {size}")
    await chat.press(progress, NEXT)
    await chat.reply("Где это?")

    await chat.send("ул. Садовая, 12", expect="Адрес: ул. Садовая, 12")
    await chat.reply("Приложите фото или документы")
    # A program dressed as a PDF and a 21 MB scan are refused, each with its reason.
    await chat.client.send_document(chat.user_id, EXE, "act.pdf")
    wrong = await chat.reply("Такой тип файла не принимается")
    assert "Приложено файлов: 0 из 10" in wrong["text"]
    await chat.client.send_document(chat.user_id, b"%PDF-1.4\n" + bytes(21 * 1024 * 1024), "scan.pdf")
    too_big = await chat.reply("больше 20 МБ")
    assert "Приложено файлов: 0 из 10" in too_big["text"]
    await chat.client.send_photo(chat.user_id, PNG_1, "pit.png")
    progress = await chat.reply("Приложено файлов: 1 из 10")
    await chat.press(progress, DONE)

    # Only the resident's own contact is taken; a wrong e-mail is explained.
    await give_name(chat)
    ask = await chat.reply("Как с вами связаться?")
    sent = forge_contact(sandbox, chat, chat.user_id + 1, "+79005550101")
    await wait_after(chat, sent, "Это не ваш контакт")
    await chat.send("petr@", expect="не похоже на адрес электронной почты")
    await chat.press(ask, SKIP)
    summary = await chat.reply("проверьте перед отправкой")
    assert "Телефон: —" in summary["text"] and "Эл. почта: —" in summary["text"]
    assert "Файлы: 1" in summary["text"] and "Адрес: ул. Садовая, 12" in summary["text"]

    # «Change» goes back to one part and returns to the summary.
    await chat.press(summary, "✏️ Изменить")
    parts = await chat.reply()
    assert list(buttons(parts)) == ["Текст", "Адрес", "Файлы", "ФИО", "Контакты", "‹ Назад"]
    await chat.press(parts, "Адрес")
    await chat.reply("Где это?")
    await chat.send("ул. Садовая, 14", expect="Адрес: ул. Садовая, 14")
    summary = await chat.reply("проверьте перед отправкой")
    assert "Адрес: ул. Садовая, 14" in summary["text"] and "Файлы: 1" in summary["text"]

    # A double press (the second arrives before the first is answered) registers one appeal.
    send_data = buttons(summary)[SEND]
    first = press_data(sandbox, chat, summary["message_id"], send_data)
    second = press_data(sandbox, chat, summary["message_id"], send_data)
    done = await wait_after(chat, summary["message_id"], "Ваше обращение зарегистрировано")
    [appeal] = await appeals_of(session_factory)
    assert appeal.reg_number in done["text"] and len(appeal.text) == size
    assert "Пропустить" not in keyboard_texts(done)  # the main menu is back
    assert (await chat.callback_answer(first))["text"] == "Отправляю обращение…"
    repeated = await chat.callback_answer(second)
    assert repeated["text"] == f"Это обращение уже отправлено: № {appeal.reg_number}."
    assert [f.mime_type for f in await files_of(session_factory, appeal.id)] == ["image/png"]
