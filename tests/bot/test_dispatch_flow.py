"""A dispatcher announces a planned outage for a whole street and a school; the residents of exactly
those houses hear of it once; the preview shows the broadcast's progress; an extension reaches them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from models import Outage, OutboxMessage
from models.enums import OutageStatus, OutboxStatus
from scheduler import jobs
from tests.bot.dispatch_support import Town, buttons, notices_of, town_fixture  # noqa: F401 - fixtures


async def test_planned_outage_for_a_whole_street(town: Town, session_factory) -> None:
    d = town.dispatcher
    assert "Новое отключение" in [
        b["text"] for row in (await d.send("/menu", expect="меню"))["reply_markup"]["keyboard"] for b in row
    ]
    ask = await d.send("Новое отключение", expect="аварийное или плановое")
    await d.press(ask, "🛠 Плановое отключение")
    ask = await d.reply("Что отключено?")
    assert "♨️ горячая вода" in buttons(ask)
    await d.press(ask, "♨️ горячая вода")
    await d.reply("Напишите название улицы")

    picker = await d.send("Ленена", expect="ул. Ленина")  # a typo is forgiven
    assert "На этой улице выбрано: 0 из 7" in picker["text"]
    assert buttons(picker)[:7] == ["1", "3", "5", "7", "9к1", "10", "12"]
    await d.press(picker, "☑️ Вся улица")
    picker = await d.reply("выбрано: 7 из 7")
    assert picker["edited"] and "Всего выбрано домов: 7" in picker["text"]
    picker = await d.send("Школьная 5", expect="ул. Школьная")  # and the school round the corner
    assert "Всего выбрано домов: 8" in picker["text"] and "✅ 5" in buttons(picker)
    await d.press(picker, "➡️ Готово, далее")

    ask = await d.reply("Когда началось (начнётся) отключение?")
    assert buttons(ask)[:2] == ["Сейчас", "+2 ч"]
    await d.send("25:00", expect="Не удалось распознать дату и время")  # bad input: the step repeats
    start = await d.send("завтра 9:00", expect="Начало:")
    assert start["text"].endswith("09:00")
    ask = await d.reply("Когда ожидается восстановление?")
    assert "Пока неизвестно" not in buttons(ask)  # a planned outage needs its end
    # The set-hour picks count from the start, not from today: the first 18:00 and 08:00 after it,
    # with their dates (a «tomorrow 08:00» from today came before a start at tomorrow 09:00).
    starts = datetime.strptime(start["text"].removeprefix("Начало: "), "%d.%m.%Y %H:%M")
    next_day = starts + timedelta(days=1)
    assert buttons(ask)[4:6] == [f"{next_day:%d.%m} 08:00", f"{starts:%d.%m} 18:00"]
    await d.press(ask, "+8 ч")
    end = await d.reply("Ожидаемое окончание:")
    assert end["text"].endswith("17:00")
    await d.reply("Опишите отключение для жителей")

    preview = await d.send("Замена запорной арматуры", expect="проверьте перед публикацией")
    text = preview["text"]
    assert "Вид: Плановое отключение" in text and "Ресурс: ♨️ горячая вода" in text
    assert "ул. Ленина: 1, 3, 5, 7, 9к1, 10, 12" in text
    assert "Домов: 8\n  в т. ч. школы: 1\nПодписчиков к оповещению: 5" in text
    assert buttons(preview) == [
        "📢 Опубликовать",
        "✏️ Адреса",
        "🕑 Время",
        "📝 Описание",
        "🧾 Причина / кто сообщил / организация",
        "✖ Отменить",
    ]

    await d.press(preview, "📢 Опубликовать")
    progress = await d.reply("опубликовано")
    assert progress["message_id"] == preview["message_id"]
    assert "📤 Оповещение жителей: отправлено 0 из 5" in progress["text"]
    await d.reply("Уведомлений жителям поставлено в очередь: 5")
    await town.queued(5)

    # The progress job: one edit queued; none more while it waits; then delivery and the final edit.
    assert await jobs.outage_progress(session_factory, town.ctx) == 1
    assert await jobs.outage_progress(session_factory, town.ctx) == 0
    await town.deliver(6)
    assert await jobs.outage_progress(session_factory, town.ctx) == 1
    await town.deliver(1)
    assert await jobs.outage_progress(session_factory, town.ctx) == 0  # the final edit is made once
    final = await d.reply("Оповещение завершено", within=5)
    assert final["message_id"] == preview["message_id"]
    assert final["text"].endswith("📬 Оповещение завершено: доставлено 5, не доставлено 0")

    # Exactly the subscribers of those houses heard, once each; ``both`` once for two addresses.
    for name in ("lenina1", "lenina3", "lenina12", "both", "school"):
        got = await notices_of(town.residents[name])
        assert len(got) == 1 and got[0].startswith("♨️ 🛠 Плановое отключение: горячая вода"), name
    assert await notices_of(town.residents["mira4"]) == []
    async with session_factory() as session:
        outage = (await session.scalars(select(Outage))).one()
        assert outage.status == OutageStatus.PLANNED and outage.progress_message_id == preview["message_id"]
        edits = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.method == "editMessageText"))
        ).all()
        assert {e.status for e in edits} == {OutboxStatus.SENT} and len(edits) == 2

    # Extend from the card: the subscribers hear of the new end.
    await d.press(final, "📋 Карточка отключения")
    card = await d.reply(f"Отключение №{outage.id}")
    assert "✅ Подача восстановлена" not in buttons(card)  # not begun yet: nothing to restore
    await d.press(card, "⏳ Изменить окончание")
    ask = await d.reply("Новое ожидаемое окончание?")
    await d.press(ask, "+4 ч")
    await d.reply("Ожидаемое окончание изменено.")
    card = await d.reply("Уведомлений жителям поставлено в очередь: 5")
    assert "21:00" in card["text"]
    await town.deliver(5)
    for name in ("lenina1", "lenina3", "lenina12", "both", "school"):
        got = await notices_of(town.residents[name])
        assert len(got) == 2 and "Отключение продлено" in got[1] and "21:00" in got[1], name
    assert await notices_of(town.residents["mira4"]) == []
