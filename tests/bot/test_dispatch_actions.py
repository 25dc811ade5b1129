"""An emergency outage typed house by house, edited before publishing; a resident's report linked to
it from the queue; houses added and removed; supply restored: each change reaches the right people."""

from __future__ import annotations

from sqlalchemy import select

from models import OutageSignal
from models.enums import SignalStatus
from services.outages import signals
from tests.bot.dispatch_support import Town, buttons, eventually, notices_of, town_fixture  # noqa: F401 - fixtures


async def _report(session_factory, town: Town) -> int:
    async with session_factory() as session:
        signal = await signals.report_signal(
            session,
            town.accounts["mira4"],
            town.houses["ул. Мира 4"],
            None,
            "cold_water",
            "Нет холодной воды",
        )
        await session.commit()
        return signal.id


async def test_emergency_outage_report_houses_and_restoration(town: Town, session_factory) -> None:
    signal_id = await _report(session_factory, town)
    d = town.dispatcher
    ask = await d.send("Новое отключение", expect="аварийное или плановое")
    await d.press(ask, "⚠️ Аварийное отключение")
    await d.press(await d.reply("Что отключено?"), "🚰 холодная вода")
    await d.reply("Напишите название улицы")

    # Typed houses: a street with a range in one message, then another street and a list.
    picker = await d.send("Мира 2-4 чёт", expect="ул. Мира")
    assert "На этой улице выбрано: 2 из 2" in picker["text"]
    picker = await d.send("Ленина", expect="ул. Ленина")
    picker = await d.send("1-5, 9к1, 11", expect="ул. Ленина")
    assert "На этой улице не найдены: 11" in picker["text"]
    assert "На этой улице выбрано: 4 из 7" in picker["text"] and "Всего выбрано домов: 6" in picker["text"]
    assert [b for b in buttons(picker) if b.startswith("✅")] == ["✅ 1", "✅ 3", "✅ 5", "✅ 9к1"]
    await d.press(picker, "➡️ Готово, далее")

    ask = await d.reply("Когда началось (начнётся) отключение?")
    await d.press(ask, "Сейчас")
    ask = await d.reply("Когда ожидается восстановление?")
    await d.press(ask, "Пока неизвестно")
    await d.press(await d.reply("Опишите отключение"), "Без описания")
    preview = await d.reply("проверьте перед публикацией")
    assert "Ожидаемое окончание: пока неизвестно" in preview["text"]
    assert "Домов: 6" in preview["text"] and "Подписчиков к оповещению: 4" in preview["text"]

    # Edit the addresses from the preview: Ленина 1 is not affected after all.
    await d.press(preview, "✏️ Адреса")
    await d.reply("Выбрано домов: 6")
    picker = await d.send("ул. Ленина", expect="ул. Ленина")
    await d.press(picker, "✅ 1")
    picker = await d.reply("выбрано: 3 из 7")
    await d.press(picker, "➡️ Готово, далее")
    preview = await d.reply("проверьте перед публикацией")
    assert "Домов: 5" in preview["text"] and "Подписчиков к оповещению: 3" in preview["text"]
    await d.press(preview, "📢 Опубликовать")
    await d.reply("Уведомлений жителям поставлено в очередь: 3")
    await town.deliver(3)
    assert await notices_of(town.residents["lenina1"]) == []

    # The report waits in the queue and is linked to the new outage from the bot.
    queue = await d.send("Сообщения жителей", expect="ожидают 1")
    await d.press(queue, "🚰 холодная вода — ул. Мира, 4 (1)")
    group = await d.reply("Нет холодной воды")
    await d.press(group, "🔗 Привязать к отключению")
    choice = await d.reply("К какому отключению привязать")
    [label] = [b for b in buttons(choice) if b.startswith("📍")]
    await d.press(choice, label)
    await d.reply("привязано сообщений: 1")

    async def linked() -> bool:
        async with session_factory() as session:
            signal = await session.get(OutageSignal, signal_id)
            return signal is not None and signal.status == SignalStatus.LINKED

    await eventually(linked)
    async with session_factory() as session:
        outage_id = (await session.get(OutageSignal, signal_id)).outage_id

    # Add the school, remove Ленина 3: only the residents concerned are told.
    listing = await d.send("Активные отключения", expect="Активные отключения")
    await d.press(listing, f"⚠️ №{outage_id} 🚰 холодная вода")
    card = await d.reply(f"Отключение №{outage_id}")
    await d.press(card, "➕ Добавить дома")
    await d.reply("Напишите название улицы")
    picker = await d.send("Школьная 5", expect="ул. Школьная")
    await d.press(picker, "➕ Добавить выбранные дома")
    await d.reply("Дома добавлены.")
    card = await d.reply("Уведомлений жителям поставлено в очередь: 1")
    await d.press(card, "➖ Убрать дома")
    streets = await d.reply("отметьте дома, которых отключение больше не касается")
    assert buttons(streets) == ["ул. Ленина", "ул. Мира", "ул. Школьная"]
    await d.press(streets, "ул. Ленина")
    picker = await d.reply("На этой улице выбрано: 0 из 3")
    await d.press(picker, "3")
    picker = await d.reply("выбрано: 1 из 3")
    await d.press(picker, "➖ Убрать выбранные дома")
    confirm = await d.reply("Убрать из отключения")
    assert "ул. Ленина, 3" in confirm["text"]
    await d.press(confirm, "Да, убрать")
    await d.reply("Дома убраны.")
    card = await d.reply("Уведомлений жителям поставлено в очередь: 1")

    # Restoration, confirmed; a repeated press of the old confirmation changes nothing.
    await d.press(card, "✅ Подача восстановлена")
    confirm = await d.reply("Подача восстановлена по всем адресам")
    await d.press(confirm, "✅ Да, восстановлено")
    card = await d.reply("Статус: подача восстановлена")
    assert "Восстановлено: " in card["text"]
    assert "Уведомлений жителям поставлено в очередь: 3" in card["text"]
    assert buttons(card) == ["‹ К списку"]
    await town.deliver(5)  # added, removed, restored

    mira4 = await notices_of(town.residents["mira4"])
    assert len(mira4) == 2 and "Аварийное отключение" in mira4[0] and "Подача восстановлена" in mira4[1]
    reopen = (await town.residents["mira4"].client.bot_messages(town.accounts["mira4"]))[-1]
    assert buttons(reopen) == ["❗ Всё ещё нет"]  # the report's author may say it is not over
    lenina3 = await notices_of(town.residents["lenina3"])
    assert len(lenina3) == 2 and "больше не касается" in lenina3[1]
    school = await notices_of(town.residents["school"])
    assert len(school) == 2 and "Подача восстановлена" in school[1]
    assert len(await notices_of(town.residents["both"])) == 2
    assert await notices_of(town.residents["lenina1"]) == []
    async with session_factory() as session:
        assert (await session.scalars(select(OutageSignal.status))).all() == [SignalStatus.LINKED]
