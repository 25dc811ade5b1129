"""Refused files in a report: too big or of a wrong type. The draft keeps what came before."""

from __future__ import annotations

from sqlalchemy import select

from models import StoredFile
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    PNG_1,
    buttons,
    create_assignment,
    outbox_fixture,
    town_fixture,
)

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)


async def test_refused_files_keep_the_draft_and_it_resumes(town, session_factory) -> None:
    ex = town.executor.chat
    aid = await create_assignment(session_factory, town)
    card = await ex.reply(f"Поручение №{aid}")
    await ex.press(card, "✅ Принять")
    card = await ex.reply("Вы приняли поручение")

    await ex.press(card, "📎 Отчитаться")
    await ex.reply("Опишите в сообщении, что сделано")
    await ex.client.send_photo(ex.user_id, PNG_1, "yard.png")
    preview = await ex.reply("Файл добавлен в отчёт.")
    assert "Текст: —" in preview["text"] and "Файлы (1):\n1. фото — 1 КБ" in preview["text"]

    # 21 MB: over the Bot API's download limit, refused before downloading.
    await ex.client.send_document(ex.user_id, b"%PDF-1.4\n" + bytes(21 * 1024 * 1024), "big-scan.pdf")
    too_big = await ex.reply("больше 20 МБ")
    assert "сохранено в черновике" in too_big["text"]
    # A program dressed as a document: the bytes decide, not the name.
    await ex.client.send_document(ex.user_id, EXE, "act.pdf")
    wrong = await ex.reply("Такой тип файла не принимается")
    assert "PDF или офисный документ" in wrong["text"] and "сохранено в черновике" in wrong["text"]
    await ex.client.send_voice(ex.user_id)
    await ex.reply("В отчёт можно добавить текст, фото и документы")

    # Interrupted: the draft survives, and «Report» continues it.
    assert (await ex.send("/cancel"))["text"] == "Действие отменено."
    await ex.press(card, "📎 Отчитаться")
    resumed = await ex.reply("есть неотправленный черновик")
    assert "Файлы (1):" in resumed["text"]
    await ex.press(resumed, "✖️ Отменить")
    put_aside = await ex.reply("Отчёт отложен")
    assert put_aside["message_id"] == resumed["message_id"] and not buttons(put_aside)

    async with session_factory() as session:
        stored = (await session.scalars(select(StoredFile).where(StoredFile.assignment_id == aid))).all()
    assert [(f.mime_type, f.size) for f in stored] == [("image/png", len(PNG_1))]

    # «Send» works from the draft even outside the conversation.
    await ex.press(card, "📎 Отчитаться")
    resumed = await ex.reply("есть неотправленный черновик")
    await ex.press(resumed, "📤 Отправить")
    await ex.reply("отправлен на проверку. Я сообщу")
    sent = next(
        m for m in await ex.client.bot_messages(ex.user_id) if m["message_id"] == resumed["message_id"]
    )
    assert not buttons(sent)  # a second «Send» cannot even be tapped
    await town.controller.chat.reply("Поступил отчёт на проверку")
