"""A dispatcher logs an incident phoned in by an organisation: a place off the register described in
words, the informant's name and phone, the responsible organisation, the time received corrected."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Building, Incident, utcnow
from models.enums import IncidentKind, InformantKind
from tests.bot.dispatch_support import Town, buttons, town_fixture  # noqa: F401 - fixtures
from tests.bot.incidents_support import ORG_NAME, Partner, partner_fixture  # noqa: F401 - fixtures


async def test_an_incident_off_the_register_phoned_in_by_an_organisation(
    town: Town, partner: Partner, session_factory
) -> None:
    d = town.dispatcher
    await d.send("Новое происшествие", expect="Новое происшествие")
    kinds = await d.reply("Что произошло?")
    assert buttons(kinds)[:2] == ["🚗 ДТП", "🌳 Падение дерева"]
    await d.press(kinds, "🚗 ДТП")
    ask = await d.reply("Где? Напишите адрес")
    assert buttons(ask) == ["📝 Нет в реестре — описать словами"]
    offer = await d.send("км 12 трассы Р-255", expect="нет номера дома")
    await d.press(offer, "📝 Записать место как написано")
    ask = await d.reply("Кто сообщил?")
    assert buttons(ask) == [
        "Житель",
        "Организация",
        "Служба (112, полиция, пожарные…)",
        "Наблюдение диспетчера",
    ]
    await d.press(ask, "Организация")
    ask = await d.reply("Какая организация сообщила?")
    assert buttons(ask) == [ORG_NAME, "Нет в справочнике — ввести название"]
    await d.press(ask, ORG_NAME)
    await d.reply("Имя и телефон сообщившего")
    await d.send("Иванов Пётр, +7 900 123-45-67", expect="Опишите, что произошло")
    await d.send("Столкновение двух машин, перекрыта полоса", expect="Какая организация отвечает")
    ask = await d.reply("Какая организация отвечает")
    await d.press(ask, ORG_NAME)
    preview = await d.reply("проверьте перед записью")
    assert "Место: км 12 трассы Р-255" in preview["text"]
    assert f"Сообщил: Организация, {ORG_NAME}, Иванов Пётр, +7 900 123-45-67" in preview["text"]
    assert f"Ответственный: {ORG_NAME}" in preview["text"]

    # The call came in half an hour ago: the time received is corrected before logging.
    await d.press(preview, "🕑 Изменить время")
    await d.reply("Когда поступило сообщение?")
    await d.send("25:00", expect="Не удалось распознать")
    later = town.ctx.local(utcnow() + timedelta(days=1))
    await d.send(f"{later:%d.%m.%Y %H:%M}", expect="не может быть в будущем")
    received = town.ctx.local(utcnow() - timedelta(minutes=30))
    preview = await d.send(f"{received:%d.%m %H:%M}", expect="проверьте перед записью")
    assert f"Поступило: {received:%d.%m.%Y %H:%M}" in preview["text"]
    await d.press(preview, "⏳ Ожидаемое окончание")
    await d.reply("Когда ожидается устранение?")
    yesterday = town.ctx.local(utcnow() - timedelta(days=1))
    await d.send(f"{yesterday:%d.%m.%Y} 10:00", expect="Ожидаемое окончание должно быть в будущем.")
    end = town.ctx.local(utcnow() + timedelta(days=1))
    preview = await d.send(f"{end:%d.%m} 18:00", expect="проверьте перед записью")
    assert f"Ожидаемое окончание: {end:%d.%m.%Y} 18:00" in preview["text"]
    await d.press(preview, "📒 Записать в журнал")
    await d.reply("Записано в журнал под №")
    card = await d.reply("Карточек отправлено сотрудникам организации: 1")
    async with session_factory() as session:
        incident = (await session.scalars(select(Incident))).one()
    assert f"Происшествие № {incident.journal_number}" in card["text"]
    assert (incident.kind, incident.informant_kind) == (
        IncidentKind.ROAD_ACCIDENT,
        InformantKind.ORGANISATION,
    )
    assert (incident.informant_name, incident.informant_phone) == ("Иванов Пётр", "+7 900 123-45-67")
    assert incident.address_text == "км 12 трассы Р-255" and incident.building_id is None
    assert incident.informant_organisation_id == partner.org_id == incident.responsible_organisation_id
    assert town.ctx.local(incident.received_at).strftime("%d.%m %H:%M") == f"{received:%d.%m %H:%M}"
    await town.deliver(1)
    got = await partner.member.reply("Передано вашей организации")
    assert "Место: км 12 трассы Р-255" in got["text"] and buttons(got) == ["✅ Принять", "📝 Доложить"]
    assert f"Ожидаемое восстановление: {end:%d.%m.%Y} 18:00" in got["text"]
    assert town.ctx.format_dt(incident.expected_end_at) == f"{end:%d.%m.%Y} 18:00"


async def test_an_address_from_the_register_and_own_observation(town: Town, session_factory) -> None:
    d = town.dispatcher
    await d.send("Новое происшествие", expect="Новое происшествие")
    kinds = await d.reply("Что произошло?")
    await d.press(kinds, "🚽 Авария канализации")
    await d.reply("Где? Напишите адрес")
    await d.send("Ленена 9", expect="Место: ул. Ленина, 9к1")  # a typo; the only house 9 there
    ask = await d.reply("Кто сообщил?")
    await d.press(ask, "Наблюдение диспетчера")
    await d.reply("Опишите, что произошло")
    ask = await d.send("Излив из колодца во дворе", expect="Какая организация отвечает")
    assert buttons(ask) == ["Без организации"]  # no organisation in the directory yet
    await d.press(ask, "Без организации")
    preview = await d.reply("проверьте перед записью")
    assert "Место: ул. Ленина, 9к1" in preview["text"] and "Сообщил: Наблюдение диспетчера" in preview["text"]
    await d.press(preview, "✖ Отменить")
    await d.reply("Происшествие не записано.")
    async with session_factory() as session:
        assert (await session.scalars(select(Incident))).all() == []


async def test_a_shared_location_is_a_map_point_near_a_building(town: Town, session_factory) -> None:
    async with session_factory() as session:
        house = await session.get(Building, town.houses["ул. Ленина 7"])
        house.latitude, house.longitude = 55.75, 37.61
        await session.commit()
    d = town.dispatcher
    await d.send("Новое происшествие", expect="Новое происшествие")
    kinds = await d.reply("Что произошло?")
    await d.press(kinds, "🛣 Состояние дорог")
    await d.reply("Где? Напишите адрес")
    await d.client.send_sticker(d.user_id)
    await d.reply("Пожалуйста, напишите адрес или место либо отправьте геопозицию.")
    await d.client.send_location(d.user_id, 55.7502, 37.61)  # about 20 m away
    offer = await d.reply("Ближайший дом — ул. Ленина, 7 (примерно в 20 м)")
    assert buttons(offer) == ["✅ Да, этот дом", "📍 Только точка на карте"]
    await d.press(offer, "📍 Только точка на карте")
    ask = await d.reply("Кто сообщил?")
    await d.press(ask, "Служба (112, полиция, пожарные…)")
    ask = await d.reply("Имя и телефон сообщившего")
    await d.press(ask, "Пропустить")
    await d.send("Яма на проезжей части", expect="Какая организация отвечает")
    ask = await d.reply("Какая организация отвечает")
    await d.press(ask, "Без организации")
    preview = await d.reply("проверьте перед записью")
    assert "Место: точка на карте 55.75020, 37.61000" in preview["text"]
    await d.press(preview, "📒 Записать в журнал")
    await d.reply("Записано в журнал под №")
    async with session_factory() as session:
        incident = (await session.scalars(select(Incident))).one()
    assert incident.building_id is None and (incident.latitude, incident.longitude) == (55.7502, 37.61)
