"""What the QA walk-through found: a photo's caption in a report reaches the controller; the card keeps
all its lines (appeal, subject, address, files) after an approved extension and after a return; the
quick extension picks count working days on the production calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from models import Assignment, CalendarDay
from models.enums import CalendarDayKind
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    PNG_1,
    PNG_2,
    buttons,
    create_assignment,
    outbox_fixture,
    submit_report,
    town_fixture,
)
from tests.bot.test_assignments_field import _appeal_with_files, _link

CARD_LINES = ("Обращение: ", "Тема: Яма во дворе", "Адрес: ул. Ленина, 5", "Файлы: фото 2, документов 2")


async def test_photo_captions_join_the_report_text_the_controller_reads(town, session_factory) -> None:
    ex, ctl = town.executor.chat, town.controller.chat
    aid = await create_assignment(session_factory, town)
    card = await ex.reply(f"Поручение №{aid}")
    await ex.press(card, "✅ Принять")
    card = await ex.reply("Вы приняли поручение")
    await ex.press(card, "📎 Отчитаться")
    prompt = await ex.reply("Опишите в сообщении, что сделано")
    assert "подписи к ним добавятся к тексту" in prompt["text"]

    await ex.client.send_photo(ex.user_id, PNG_1, "crack.png", caption="Трещина над кв. 12")
    preview = await ex.reply("Файл добавлен в отчёт.")
    assert "Подпись добавлена к тексту отчёта." in preview["text"]
    assert "Текст: Трещина над кв. 12" in preview["text"] and "Файлы (1):" in preview["text"]

    # An album: each part's caption is kept too.
    group = "7700112233"
    await ex.client.send_photo(ex.user_id, PNG_2, "step.png", caption="Скол ступени", media_group_id=group)
    await ex.client.send_photo(
        ex.user_id, PNG_1 + b"door", "door.png", caption="Дверь подъезда 2", media_group_id=group
    )
    album = await ex.reply("Альбом получен")
    assert "Трещина над кв. 12\nСкол ступени\nДверь подъезда 2" in album["text"]
    assert "Файлы (3):" in album["text"]

    await ex.press(album, "📤 Отправить")
    await ex.reply("Я сообщу решение контролёра")
    review = await ctl.reply("Поступил отчёт на проверку")
    assert "Отчёт: Трещина над кв. 12\nСкол ступени\nДверь подъезда 2" in review["text"]
    assert "Приложено файлов: 3" in review["text"]


async def test_card_lines_survive_an_approved_extension_and_a_return(town, session_factory, settings) -> None:
    ex, ctl = town.executor.chat, town.controller.chat
    msk = ZoneInfo("Europe/Moscow")
    friday = datetime(2026, 12, 11, 10, 26, tzinfo=msk)
    appeal_id = await _appeal_with_files(session_factory, settings)
    aid = await create_assignment(session_factory, town, "Заделать яму во дворе", deadline=friday)
    await _link(session_factory, aid, appeal_id, settings)
    async with session_factory() as session:  # the organisation's own day off on Tuesday 15.12
        session.add(
            CalendarDay(day=date(2026, 12, 15), kind=CalendarDayKind.DAY_OFF.value, note="Санитарный день")
        )
        await session.commit()
    await ex.reply(f"Поручение №{aid}")

    listing = await ex.send("Мои поручения", expect="Мои поручения")
    await ex.press(listing, next(label for label in buttons(listing) if label.startswith(f"№{aid}")))
    card = await ex.reply("Карточка поручения")
    assert all(line in card["text"] for line in CARD_LINES), card["text"]

    # Quick picks: working days — Friday +1 is Monday; +3 skips the weekend and the day off.
    await ex.press(card, "⏳ Продлить срок")
    ask = await ex.reply("Выберите новый срок ниже")
    assert list(buttons(ask))[:2] == [
        "+1 рабочий день (до 14.12.2026 10:26)",
        "+3 рабочих дня (до 17.12.2026 10:26)",
    ]
    await ex.press(ask, "+1 рабочий день (до 14.12.2026 10:26)")
    await ex.reply("Почему нужно больше времени")
    await ex.send("Ждём асфальт", expect="Запрос отправлен")
    request = await ctl.reply("Запрос на продление срока")
    await ctl.press(request, "✅ Одобрить")
    await ctl.reply("✅ Одобрено: новый срок")
    approved = await ex.reply("Продление срока одобрено")
    assert all(line in approved["text"] for line in CARD_LINES), approved["text"]
    assert "Срок: 14.12.2026 10:26" in approved["text"]
    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and a.deadline == datetime(2026, 12, 14, 10, 26, tzinfo=msk)

    # A report, returned: the executor's card still has every line, and the return reason.
    await submit_report(session_factory, town, aid, text="Засыпал щебнем")
    review = await ctl.reply("Поступил отчёт на проверку")
    assert all(line in review["text"] for line in CARD_LINES), review["text"]
    await ctl.press(review, "↩️ Вернуть на доработку")
    await ctl.reply("Что нужно доработать")
    await ctl.send("Нужен асфальт, не щебень", expect="Исполнитель получил ваш комментарий")
    back = await ex.reply("Поручение возвращено на доработку")
    assert all(line in back["text"] for line in CARD_LINES), back["text"]
    assert "Последняя причина возврата: Нужен асфальт, не щебень" in back["text"]
