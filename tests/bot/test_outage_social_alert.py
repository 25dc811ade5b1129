"""A dispatcher publishes an emergency outage that cuts off a school and a hospital: the managers and
the staff on the alert list hear of it at once, ahead of the residents' notices; a plain executor
does not; adding the same houses again alerts nobody twice; a kindergarten added later is alerted."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from models import Outage, OutboxMessage, SocialAlertRecipient, utcnow
from models.enums import OutboxStatus, Role
from services import outbox, staff
from services.addresses import import_buildings
from services.audit import Actor
from tests.bot.conftest import Chat
from tests.bot.dispatch_support import Town, buttons, notices_of, town_fixture  # noqa: F401 - fixtures

_ids = itertools.count(730_000_001)
MORE_HOUSES = (
    "Улица;Дом;Тип объекта;Название\n"
    "ул. Мира;6;больница;Городская больница\n"
    "ул. Мира;8;детский сад;Детский сад № 5\n"
)


async def _staff(town: Town, session, name: str, role: Role) -> tuple[int, Chat]:
    telegram_id = next(_ids)
    user = await staff.create_user(
        session, Actor.system(), full_name=name, roles=(role,), telegram_id=telegram_id
    )
    client = town.dispatcher.client
    await client.register_user(user_id=telegram_id, first_name=name.split()[1], language_code="ru")
    return user.id, Chat(client, telegram_id)


async def _alerts(chat: Chat) -> list[str]:
    return [text for text in await notices_of(chat) if "социальных объектах" in text]


async def _add_houses(town: Town, outage_id: int, street: str) -> dict:
    d = town.dispatcher
    card = await d.send("Активные отключения", expect="Активные отключения")
    await d.press(card, next(b for b in buttons(card) if f"№{outage_id}" in b))
    card = await d.reply(f"Отключение №{outage_id}")
    await d.press(card, "➕ Добавить дома")
    await d.reply("Напишите название улицы")
    picker = await d.send(street, expect="Всего выбрано")
    await d.press(picker, "➕ Добавить выбранные дома")
    return await d.reply("Дома добавлены.")


async def test_social_objects_alert_heads_first_and_once(town: Town, session_factory) -> None:
    async with session_factory() as session:
        await import_buildings(session, MORE_HOUSES.encode(), actor=Actor.system("test"), filename="more.csv")
        _, manager = await _staff(town, session, "Смирнова Ольга Викторовна", Role.MANAGER)
        deputy_id, deputy = await _staff(town, session, "Кузнецов Павел Андреевич", Role.CONTROLLER)
        session.add(SocialAlertRecipient(user_id=deputy_id))
        await session.commit()

    d = town.dispatcher
    ask = await d.send("Новое отключение", expect="аварийное или плановое")
    await d.press(ask, "⚠️ Аварийное отключение")
    await d.press(await d.reply("Что отключено?"), "♨️ горячая вода")
    await d.reply("Напишите название улицы")
    await d.send("Школьная 5", expect="ул. Школьная")
    await d.send("Мира", expect="ул. Мира")
    picker = await d.send("2, 6", expect="ул. Мира")
    assert "Всего выбрано домов: 3" in picker["text"]
    await d.press(picker, "➡️ Готово, далее")
    await d.press(await d.reply("Когда началось"), "Сейчас")
    await d.press(await d.reply("Когда ожидается восстановление?"), "Пока неизвестно")
    await d.press(await d.reply("Опишите отключение"), "Без описания")
    preview = await d.reply("проверьте перед публикацией")
    await d.press(preview, "📢 Опубликовать")
    await d.reply("Уведомлений жителям поставлено в очередь: 2")  # «school» and «both»
    await town.queued(4)  # two alerts and two notices

    # The outbox hands out the alerts first, whatever the order the rows were written in.
    async with session_factory() as session:
        due = await outbox.due_messages(session, now=utcnow(), limit=10)
        assert [m.chat_id for m in due[:2]] == sorted([manager.user_id, deputy.user_id])
        assert all("социальных объектах" not in (m.payload["text"]) for m in due[2:])
        outage_id = (await session.scalars(select(Outage.id))).one()
    await town.sender.drain()

    for chat in (manager, deputy):
        alerts = await _alerts(chat)
        assert len(alerts) == 1, alerts
        text = alerts[0]
        assert text.startswith("♨️ 🚨 Отключение на социальных объектах: горячая вода")
        assert f"Отключение №{outage_id}" in text and "Ожидаемое окончание: пока неизвестно" in text
        assert "Затронуто социальных объектов: 2" in text
        assert "Городская больница (больницы): ул. Мира, 6" in text
        assert "Школа № 2 (школы): ул. Школьная, 5" in text
        assert "Разместил: Морозов Денис Олегович" in text
    assert await notices_of(town.executor) == []  # a plain executor is not alerted
    assert len(await notices_of(town.residents["school"])) == 1  # the residents are told as usual

    # The same houses once more: nothing new, nobody alerted twice.
    await _add_houses(town, outage_id, "Школьная 5")
    await town.sender.drain()
    assert len(await _alerts(manager)) == 1 and len(await _alerts(deputy)) == 1

    # A kindergarten joins the outage: only it is announced.
    await _add_houses(town, outage_id, "Мира 8")
    await town.queued(2)
    await town.sender.drain()
    for chat in (manager, deputy):
        alerts = await _alerts(chat)
        assert len(alerts) == 2, alerts
        assert "Детский сад № 5 (детские сады): ул. Мира, 8" in alerts[1]
        assert "Затронуто социальных объектов: 1" in alerts[1] and "Школа № 2" not in alerts[1]
    assert await notices_of(town.executor) == []
    async with session_factory() as session:
        sent = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.batch == f"outage:{outage_id}:social")
            )
        ).all()
        assert len(sent) == 4 and {m.status for m in sent} == {OutboxStatus.SENT}
