"""An assignment's whole life in Telegram: acknowledge, report with an album and a PDF, return, accept."""

from __future__ import annotations

from sqlalchemy import select

from models import Assignment, AssignmentReport, AuditEvent, StoredFile
from porucheno.settings import Settings
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    PDF,
    PNG_1,
    PNG_2,
    buttons,
    create_assignment,
    outbox_fixture,
    stored_bytes,
    town_fixture,
)
from tests.bot.conftest import Chat


async def _report(chat: Chat, card: dict, text: str, files: list[tuple[bytes, str]] | None = None) -> dict:
    """Press «Report», write the text, send the files, return the last preview."""
    await chat.press(card, "📎 Отчитаться")
    prompt = await chat.reply("Опишите в сообщении, что сделано")
    assert "до 20 МБ" in prompt["text"]
    preview = await chat.send(text, expect="Текст сохранён.")
    assert f"Текст: {text}" in preview["text"]
    assert list(buttons(preview)) == ["📤 Отправить", "➕ Добавить ещё", "✖️ Отменить"]
    return preview


async def test_acknowledge_report_return_report_accept(town, session_factory, settings: Settings) -> None:
    ex, ctl = town.executor.chat, town.controller.chat
    aid = await create_assignment(session_factory, town)

    card = await ex.reply(f"Поручение №{aid}")
    assert card["text"].startswith("Новое поручение")
    assert list(buttons(card)) == ["✅ Принять", "↩️ Отклонить", "⏳ Продлить срок", "💬 Комментарий"]

    # Acknowledge: the card is edited in place, the controller hears about it.
    query = await ex.press(card, "✅ Принять")
    assert (await ex.callback_answer(query))["text"] == "Принято к исполнению. Автор уведомлён."
    card = await ex.reply("Вы приняли поручение к исполнению")
    assert card["edited"] and "Статус: принято" in card["text"]
    assert "📎 Отчитаться" in buttons(card)
    await ctl.reply("Исполнитель принял поручение")

    # The report: text, an album of two photos, a PDF; then the preview and «Send».
    await _report(ex, card, "Двор очищен, снег вывезен")
    await ex.client.send_album(ex.user_id, [(PNG_1, "before.png"), (PNG_2, "after.png")])
    album_ack = await ex.reply("Альбом получен")
    assert "добавлено файлов в отчёт: 2" in album_ack["text"]
    await ex.client.send_document(ex.user_id, PDF, "akt.pdf")
    preview = await ex.reply("Файл добавлен в отчёт.")
    assert "Файлы (3):" in preview["text"] and "akt.pdf — 1 КБ" in preview["text"]
    # Only the newest preview keeps its buttons.
    old = [m for m in await ex.client.bot_messages(ex.user_id) if "Черновик отчёта" in (m["text"] or "")]
    assert [bool(buttons(m)) for m in old] == [False, False, True]
    query = await ex.press(preview, "📤 Отправить")
    assert (await ex.callback_answer(query))["text"] == "Отчёт отправлен."
    sent = await ex.reply("Я сообщу решение контролёра")
    assert sent["message_id"] == preview["message_id"] and not buttons(sent)
    card = await ex.client.wait_for(ex.user_id, contains="Статус: на проверке", after_message_id=0)
    assert card["message_id"] < preview["message_id"]  # the original card, edited

    # The controller gets the photos as an album, the PDF, then the card with the buttons.
    review = await ctl.reply("Поступил отчёт на проверку")
    assert "Отчёт: Двор очищен, снег вывезен" in review["text"]
    assert list(buttons(review))[:2] == ["✅ Принять работу", "↩️ Вернуть на доработку"]
    got = await ctl.client.bot_messages(ctl.user_id)
    photos = [m for m in got if m["kind"] == "photo"]
    docs = [m for m in got if m["kind"] == "document"]
    assert len(photos) == 2 and photos[0]["media_group_id"] == photos[1]["media_group_id"]
    assert [await ctl.client.download(m["media"][0]["url"]) for m in photos] == [PNG_1, PNG_2]
    assert await ctl.client.download(docs[0]["media"][0]["url"]) == PDF
    assert docs[0]["message_id"] < review["message_id"]

    # Return with a reason: the executor reads it.
    await ctl.press(review, "↩️ Вернуть на доработку")
    await ctl.reply("Что нужно доработать")
    done = await ctl.send("Нет фото крыльца", expect="Исполнитель получил ваш комментарий")
    assert done["text"].startswith(f"Поручение №{aid} возвращено на доработку")
    edited = await ctl.client.wait_for(
        ctl.user_id, contains="Статус: возвращено на доработку", after_message_id=0
    )
    assert edited["message_id"] == review["message_id"] and not buttons(edited).get("✅ Принять работу")
    back = await ex.reply("Поручение возвращено на доработку")
    assert "Причина: Нет фото крыльца" in back["text"]

    # The second report, then acceptance.
    preview = await _report(ex, back, "Крыльцо тоже очищено")
    await ex.client.send_photo(ex.user_id, PNG_1 + b"porch", "porch.jpg")
    preview = await ex.reply("Файл добавлен в отчёт.")
    assert "Файлы (1):" in preview["text"]
    await ex.press(preview, "📤 Отправить")
    await ex.reply("Я сообщу решение контролёра")
    review = await ctl.reply("Отчёт: Крыльцо тоже очищено")
    query = await ctl.press(review, "✅ Принять работу")
    assert (await ctl.callback_answer(query))["text"] == "Принято. Исполнитель уведомлён."
    accepted = await ctl.reply("Отчёт принят: поручение исполнено")
    assert accepted["message_id"] == review["message_id"] and "Статус: исполнено" in accepted["text"]
    assert not buttons(accepted)
    await ex.reply("Отчёт принят: поручение исполнено")

    async with session_factory() as session:
        assignment = await session.get(Assignment, aid)
        assert assignment is not None and assignment.status == "done" and assignment.returns_count == 1
        first, second = (
            await session.scalars(
                select(AssignmentReport)
                .where(AssignmentReport.assignment_id == aid)
                .order_by(AssignmentReport.id)
            )
        ).all()
        assert (first.status, first.review_comment) == ("returned", "Нет фото крыльца")
        assert second.status == "accepted"
        stored = (
            await session.scalars(
                select(StoredFile).where(StoredFile.report_id == first.id).order_by(StoredFile.id)
            )
        ).all()
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == aid)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert [f.mime_type for f in stored] == ["image/png", "image/png", "application/pdf"]
    assert [stored_bytes(settings, f.storage_path) for f in stored] == [PNG_1, PNG_2, PDF]
    assert list(actions) == [
        "created",
        "acknowledge",
        "submit",
        "return",
        "submit",
        "accept",
    ]
