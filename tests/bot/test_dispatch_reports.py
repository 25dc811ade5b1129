"""The residents' reports queue: an outage created from a group (its reports linked on publish), and
a report without a registered address dismissed after a confirmation."""

from __future__ import annotations

from sqlalchemy import select

from models import Outage, OutageSignal
from models.enums import OutageKind, SignalStatus
from services.outages import signals
from tests.bot.dispatch_support import Town, buttons, eventually, notices_of, town_fixture  # noqa: F401 - fixtures


async def test_create_outage_from_reports_and_dismiss(town: Town, session_factory) -> None:
    async with session_factory() as session:
        for name in ("lenina1", "lenina3"):
            await signals.report_signal(
                session, town.accounts[name], town.houses["ул. Ленина 1"], None, "electricity", "Нет света"
            )
        await signals.report_signal(session, town.accounts["mira4"], None, "Садовая 100", "electricity", "")
        await session.commit()

    d = town.dispatcher
    queue = await d.send("Сообщения жителей", expect="ожидают 3")
    assert buttons(queue) == [
        "💡 электроэнергия — ул. Ленина, 1 (2)",
        "💡 электроэнергия — «Садовая 100» (нет в реестре) (1)",
    ]
    await d.press(queue, "💡 электроэнергия — ул. Ленина, 1 (2)")
    group = await d.reply("Сообщений: 2")
    query = await d.press(group, "🔗 Привязать к отключению")
    assert (await d.callback_answer(query))["text"].startswith("Активных отключений по этому ресурсу нет.")
    await d.press(group, "➕ Создать отключение")
    await d.reply("Когда началось (начнётся) отключение?")
    await d.send("сейчас", expect="Начало:")
    await d.send("2:00", expect="Ожидаемое окончание:")  # the first 02:00 after the start
    await d.press(await d.reply("Опишите отключение"), "Без описания")
    preview = await d.reply("проверьте перед публикацией")
    assert "Будет привязано сообщений жителей: 2" in preview["text"] and "Домов: 1" in preview["text"]
    await d.press(preview, "📢 Опубликовать")
    await d.reply("Уведомлений жителям поставлено в очередь: 1")
    await town.deliver(1)
    assert len(await notices_of(town.residents["lenina1"])) == 1
    async with session_factory() as session:
        outage = (await session.scalars(select(Outage))).one()
        assert outage.kind == OutageKind.ACCIDENT and outage.expected_end_at is not None
        linked = (
            await session.scalars(select(OutageSignal).where(OutageSignal.outage_id == outage.id))
        ).all()
        assert [s.status for s in linked] == [SignalStatus.LINKED, SignalStatus.LINKED]

    queue = await d.send("Сообщения жителей", expect="ожидают 1")
    await d.press(queue, "💡 электроэнергия — «Садовая 100» (нет в реестре) (1)")
    group = await d.reply("Садовая 100")
    await d.press(group, "🗑 Отклонить")
    confirm = await d.reply("Отклонить сообщения (1)?")
    await d.press(confirm, "Да, отклонить")
    done = await d.reply("Отклонено сообщений: 1.")
    assert "Необработанных сообщений нет." in done["text"]

    async def dismissed() -> bool:
        async with session_factory() as session:
            statuses = (await session.scalars(select(OutageSignal.status).order_by(OutageSignal.id))).all()
            return statuses == [SignalStatus.LINKED, SignalStatus.LINKED, SignalStatus.DISMISSED]

    await eventually(dismissed)
