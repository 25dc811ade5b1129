"""Forged and stale presses: another organisation's person, a resident, a non-dispatcher deciding;
and an outage addressed to the organisation, whose approved estimate becomes the outage's end."""

from __future__ import annotations

from sqlalchemy import select

from models import DispatchUpdate, Outage
from models.enums import UpdatePublish
from tests.bot.dispatch_support import Town, buttons, notices_of, press_data, town_fixture  # noqa: F401
from tests.bot.partners_support import Partners, partners_fixture  # noqa: F401 - fixtures

NOT_YOURS = "Это больше не адресовано вашей организации."
NOT_A_MEMBER = "Эти кнопки — для сотрудников организации, которой передана работа."
ONLY_DISPATCHER = "Решать, что сообщить жителям, может только дежурный диспетчер."


async def _alert(chat, sandbox, message_id: int, data: str) -> str:
    answer = await chat.callback_answer(press_data(sandbox, chat, message_id, data))
    assert answer["show_alert"], data
    return answer["text"]


async def test_forged_presses_are_refused(partners: Partners, sandbox) -> None:
    town = partners.town
    incident_id = await partners.incident_at("ул. Ленина 1")
    await town.deliver(1)
    card = await partners.member.reply("Передано вашей организации")

    # Another organisation's person, on a message of their own chat.
    own = await partners.stranger.send("/menu", expect="меню")
    for data in (f"org:rep:i:{incident_id}", f"org:ack:i:{incident_id}"):
        assert await _alert(partners.stranger, sandbox, own["message_id"], data) == NOT_YOURS
    assert await _alert(partners.stranger, sandbox, own["message_id"], "org:rep:x:1") == (
        "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."
    )
    await partners.stranger.send("Вода идёт", expect="")  # no report conversation was begun
    assert "Для кого доклад" not in " ".join(await notices_of(partners.stranger))
    # Their own list shows nothing of the УК's.
    await partners.stranger.send(
        "Работа организации", expect="Сейчас на «РСО «Водоканал»» ничего не передано"
    )

    # A resident (no staff account at all).
    resident = town.residents["lenina1"]
    mine = await resident.send("/menu", expect="меню")
    assert await _alert(resident, sandbox, mine["message_id"], f"org:ack:i:{incident_id}") == NOT_A_MEMBER

    # The member reports for residents; the card waits for a dispatcher.
    m = partners.member
    await m.press(card, "📝 Доложить")
    ask = await m.send("Откачиваем воду", expect="Текст сохранён.")
    await m.press(ask, "✅ Готово")
    ask = await m.reply("Когда ожидается восстановление?")
    await m.send("вчера 10:00", expect="Не удалось распознать")
    await m.send("25.13 10:00", expect="Не удалось распознать")
    ask = await m.send("завтра 10:00", expect="Ожидаемое восстановление:")
    ask = await m.reply("Для кого доклад?")
    await m.press(ask, "👥 Для жителей")
    await m.reply("Отправлено диспетчеру на проверку")
    async with town.session_factory() as session:
        update = (
            await session.scalars(select(DispatchUpdate).where(DispatchUpdate.text == "Откачиваем воду"))
        ).one()

    # Neither the member, nor other staff, nor a resident can publish it by a forged press.
    for chat in (m, town.executor, resident):
        own = await chat.send("/menu", expect="меню")
        assert await _alert(chat, sandbox, own["message_id"], f"dupd:ok:{update.id}") == ONLY_DISPATCHER
    async with town.session_factory() as session:
        assert (await session.get(DispatchUpdate, update.id)).publish == UpdatePublish.PENDING
    # The dispatcher keeps it internal: the residents hear nothing, the member is told.
    await town.deliver(2)
    d = town.dispatcher
    card = await d.reply("Доклад для жителей")
    await d.press(card, "🗄 Оставить в журнале")
    await d.reply("Оставлено в журнале: Морозов Денис Олегович")
    await town.deliver(1)
    assert "Диспетчер оставил ваш доклад в журнале" in (await m.reply("Диспетчер оставил"))["text"]
    assert not [n for n in await notices_of(town.residents["lenina1"]) if "Обновление" in n]
    # A decided report cannot be decided again, even by a forged press of the dispatcher.
    assert await _alert(d, sandbox, card["message_id"], f"dupd:ok:{update.id}") == "Уже решено."


async def test_an_outage_addressed_to_the_organisation(partners: Partners, sandbox) -> None:
    town, m = partners.town, partners.member
    outage_id = await partners.outage_at("ул. Ленина 3")
    await town.deliver(2)  # the residents' notice of the outage and the card to the member
    card = await m.reply("Передано вашей организации")
    assert f"(отключение № {outage_id})" in card["text"] and "Дома: ул. Ленина, 3" in card["text"]

    own = await partners.stranger.send("/menu", expect="меню")
    assert await _alert(partners.stranger, sandbox, own["message_id"], f"org:rep:o:{outage_id}") == NOT_YOURS

    await m.press(card, "✅ Принять")
    card = await m.reply("Принято в работу")
    assert buttons(card) == ["📝 Доложить"]
    # A second «Accept» (an old copy, a double tap) changes nothing and says so.
    again = await m.callback_answer(press_data(sandbox, m, card["message_id"], f"org:ack:o:{outage_id}"))
    assert again["text"] == "Уже принято в работу." and not again["show_alert"]
    await m.press(card, "📝 Доложить")
    ask = await m.send("Меняем участок трубы", expect="Текст сохранён.")
    await m.press(ask, "✅ Готово")
    ask = await m.reply("Когда ожидается восстановление?")
    await m.press(ask, "+4 ч")
    ask = await m.reply("Для кого доклад?")
    await m.press(ask, "👥 Для жителей")
    await m.reply("Отправлено диспетчеру на проверку")
    async with town.session_factory() as session:
        outage = await session.get(Outage, outage_id)
        assert outage is not None and outage.expected_end_at is None and outage.acknowledged_at is not None

    await town.deliver(2)
    card = await town.dispatcher.reply("Доклад для жителей")
    await town.dispatcher.press(card, "📢 Опубликовать жителям")
    await town.dispatcher.reply("Опубликовано жителям: Морозов")
    await town.deliver(2)
    async with town.session_factory() as session:
        outage = await session.get(Outage, outage_id)
        update = (
            await session.scalars(
                select(DispatchUpdate).where(DispatchUpdate.outage_id == outage_id, DispatchUpdate.text != "")
            )
        ).one()
        assert outage.expected_end_at is not None and outage.expected_end_at == update.expected_end_at
        when = town.ctx.format_dt(outage.expected_end_at)
    got = await notices_of(town.residents["lenina3"])
    assert (
        len(got) == 2 and "Меняем участок трубы" in got[1] and f"Ожидаемое восстановление: {when}" in got[1]
    )
    assert await notices_of(town.residents["lenina1"]) == []
