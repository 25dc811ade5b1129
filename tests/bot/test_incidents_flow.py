"""Through the sandbox: a resident reports a fallen tree; the dispatcher logs it from «Incidents»,
hands it to an organisation (whose foreman gets the card), logs an action with its time, closes it;
the resident hears of the closing with the note."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Incident, OutageSignal, utcnow
from models.enums import IncidentStatus, InformantKind, SignalStatus
from services.outages.signals import signal_queue
from tests.bot.conftest import keyboard_texts
from tests.bot.dispatch_support import Town, buttons, notices_of, press_data, town_fixture  # noqa: F401 - fixtures
from tests.bot.incidents_support import ORG_NAME, Partner, partner_fixture  # noqa: F401 - fixtures


async def _resident_reports_a_tree(town: Town, session_factory) -> OutageSignal:  # type: ignore[no-untyped-def]
    r = town.residents["mira4"]
    menu = await r.send("/start", expect="Здравствуйте")
    await r.press(menu, "Сообщить об отключении")
    resources = await r.reply("Что отключено?")
    assert keyboard_texts(resources)[-1] == "Другое: дерево, дорога, канализация…"
    await r.press(resources, "Другое: дерево, дорога, канализация…")
    kinds = await r.reply("Что случилось?")
    assert "звоните 112" in kinds["text"] and "🌳 Падение дерева" in keyboard_texts(kinds)
    await r.press(kinds, "🌳 Падение дерева")
    await r.reply("По какому адресу?")
    ask = await r.send("Ленина 5", expect="Адрес: ул. Ленина, 5")
    assert "Опишите проблему для диспетчера" in ask["text"]
    card = await r.send("Упало дерево, перегородило проезд", expect="Проверьте сообщение")
    assert "Что случилось: 🌳 Падение дерева" in card["text"]
    await r.press(card, "✅ Отправить")
    thanks = await r.reply("Спасибо!")
    assert "Когда проблема будет устранена" in thanks["text"]
    async with session_factory() as session:
        signal = (await session.scalars(select(OutageSignal))).one()
        assert (signal.resource, signal.incident_kind) == ("incident", "fallen_tree")
        assert await signal_queue(session) == []  # not an outage: the outage queue leaves it out
    return signal


async def test_an_incident_from_a_resident_report_to_closing(
    town: Town, partner: Partner, session_factory
) -> None:
    signal = await _resident_reports_a_tree(town, session_factory)
    d = town.dispatcher
    menu = await d.send("/menu", expect="меню")
    labels = keyboard_texts(menu)
    assert {"Новое происшествие", "Происшествия"} <= set(labels)

    listing = await d.send("Происшествия", expect="Открытые происшествия")
    assert "Ожидают сообщений жителей: 1" in listing["text"]
    await d.press(listing, "📨 Сообщения жителей (1)")
    queue = await d.reply("Сообщения жителей о происшествиях")
    await d.press(queue, "🌳 Падение дерева — ул. Ленина, 5 (1)")
    group = await d.reply("Упало дерево, перегородило проезд")
    await d.press(group, "📒 Записать происшествие")
    await d.reply("Новое происшествие по сообщениям жителей")
    ask = await d.reply("Опишите, что произошло")
    await d.press(ask, "📨 Взять текст жителей")
    ask = await d.reply("Какая организация отвечает")
    assert buttons(ask) == [ORG_NAME, "Без организации"]
    await d.press(ask, "Без организации")
    preview = await d.reply("проверьте перед записью")
    text = preview["text"]
    assert "Вид: 🌳 Падение дерева" in text and "Место: ул. Ленина, 5" in text
    assert "Сообщил: Житель, mira4" in text and "Ответственный: нет" in text
    assert buttons(preview) == [
        "📒 Записать в журнал",
        "🕑 Изменить время",
        "⏳ Ожидаемое окончание",
        "✖ Отменить",
    ]
    await d.press(preview, "📒 Записать в журнал")
    logged = await d.reply("Записано в журнал под №")
    async with session_factory() as session:
        incident = (await session.scalars(select(Incident))).one()
        number = incident.journal_number
        assert incident.informant_kind == InformantKind.RESIDENT
        assert incident.informant_telegram_id == town.accounts["mira4"]
        assert (await session.get(OutageSignal, signal.id)).status == SignalStatus.LINKED
    assert number in logged["text"]
    card = await d.reply(f"Происшествие № {number}")
    assert buttons(card) == [
        "🛠 Мера/действие",
        "🏢 Передать организации",
        "🔎 Причина",
        "⏳ Ожидаемое окончание",
        "✅ Закрыть",
        "‹ К списку",
    ]

    # Hand it to the organisation: its foreman gets the card to accept.
    await d.press(card, "🏢 Передать организации")
    orgs = await d.reply("Какой организации передать")
    await d.press(orgs, ORG_NAME)
    card = await d.reply("Карточек отправлено сотрудникам: 1")
    assert f"Ответственный: {ORG_NAME}" in card["text"] and f"передано: {ORG_NAME}" in card["text"]
    await town.deliver(1)
    got = await partner.member.reply("Передано вашей организации")
    assert f"Падение дерева № {number}" in got["text"] and "ул. Ленина, 5" in got["text"]
    assert buttons(got) == ["✅ Принять", "📝 Доложить"]

    # The cause, then an action with an earlier time, told to the residents.
    await d.press(card, "🔎 Причина")
    await d.reply("Напишите установленную причину")
    await d.send("Ветровал", expect="Причина записана.")
    card = await d.reply("Причина: Ветровал")
    await d.press(card, "🛠 Мера/действие")
    await d.reply("Опишите принятую меру")
    at = town.ctx.local(utcnow() - timedelta(minutes=10))
    ask = await d.send(f"{at:%H:%M} Бригада выехала на место", expect="Сообщить жителям")
    assert f"Мера в {at:%d.%m.%Y %H:%M}: Бригада выехала на место" in ask["text"]
    await d.press(ask, "📢 Да, сообщить жителям")
    # The house's subscriber (``both`` follows Ленина 5) and the resident who reported it.
    await d.reply("Мера записана в журнал. Уведомлений жителям поставлено в очередь: 2")
    card = await d.reply(f"Происшествие № {number}")
    assert f"• {at:%d.%m.%Y %H:%M} — Бригада выехала на место 📢" in card["text"]
    assert "Статус: В работе" in card["text"]

    # The expected end, typed on the card: a past time is refused, then one ahead is kept.
    await d.press(card, "⏳ Ожидаемое окончание")
    await d.reply("Когда ожидается устранение?")
    past = town.ctx.local(utcnow() - timedelta(hours=1))
    await d.send(f"{past:%d.%m.%Y %H:%M}", expect="Ожидаемое окончание должно быть в будущем.")
    ahead = town.ctx.local(utcnow() + timedelta(hours=3))
    await d.send(f"{ahead:%d.%m.%Y %H:%M}", expect=f"Ожидаемое окончание: {ahead:%d.%m.%Y %H:%M}")
    card = await d.reply(f"Происшествие № {number}")
    async with session_factory() as session:
        eta = (await session.get(Incident, incident.id)).expected_end_at
        assert town.ctx.local(eta).strftime("%d.%m.%Y %H:%M") == f"{ahead:%d.%m.%Y %H:%M}"

    # Closing: the note goes to the journal and to the residents.
    await d.press(card, "✅ Закрыть")
    await d.reply("Чем завершилось?")
    await d.send("Дерево распилено и вывезено, проезд открыт", expect=f"Происшествие № {number} закрыто.")
    card = await d.reply("Статус: Закрыто")
    assert "закрыто: Дерево распилено и вывезено, проезд открыт" in card["text"]
    assert buttons(card) == ["↩️ Открыть снова", "‹ К списку"]
    await town.deliver(4)
    for name in ("mira4", "both"):
        got = await notices_of(town.residents[name])
        assert any("Бригада выехала на место" in m for m in got), name
        closing = [m for m in got if m.startswith(f"✅ Закрыто: 🌳 Падение дерева № {number}")]
        assert len(closing) == 1 and "Дерево распилено и вывезено, проезд открыт" in closing[0], name
    assert await notices_of(town.residents["lenina1"]) == []
    async with session_factory() as session:
        incident = await session.get(Incident, incident.id)
        assert incident.status == IncidentStatus.CLOSED and incident.cause == "Ветровал"

    # The list is empty again; closed by mistake, it is reopened with a reason.
    await d.send("Происшествия", expect="Открытых происшествий нет.")
    await d.press(card, "↩️ Открыть снова")
    await d.reply("Почему происшествие открывается снова?")
    await d.send("Упало второе дерево рядом", expect=f"Происшествие № {number} снова открыто.")
    card = await d.reply("Статус: В работе")
    assert "открыто снова: Упало второе дерево рядом" in card["text"] and "✅ Закрыть" in buttons(card)
    await d.send("Происшествия", expect="Открытые происшествия: 1")


async def test_a_report_off_the_register_is_dismissed(town: Town, sandbox, session_factory) -> None:
    r = town.residents["lenina3"]
    menu = await r.send("/start", expect="Здравствуйте")
    await r.press(menu, "Сообщить об отключении")
    resources = await r.reply("Что отключено?")
    await r.press(resources, "Другое: дерево, дорога, канализация…")
    kinds = await r.reply("Что случилось?")
    await r.press(kinds, "🚽 Авария канализации")
    await r.reply("По какому адресу?")
    unknown = await r.send("Заречная 14", expect="нет в реестре домов")
    await r.press(unknown, "📨 Отправить адрес как есть")
    ask = await r.reply("Адрес: Заречная 14 (как указано вами)")
    await r.press(ask, "Без комментария")
    card = await r.reply("Проверьте сообщение")
    assert "Что случилось: 🚽 Авария канализации" in card["text"]
    await r.press(card, "✅ Отправить")
    await r.reply("Когда проблема будет устранена")

    d = town.dispatcher
    listing = await d.send("Происшествия", expect="Открытые происшествия: 0")
    await d.press(listing, "📨 Сообщения жителей (1)")
    queue = await d.reply("ожидают 1")
    await d.press(queue, "🚽 Авария канализации — «Заречная 14» (нет в реестре) (1)")
    group = await d.reply("Сообщений: 1")
    await d.press(group, "🗑 Отклонить")
    confirm = await d.reply("Отклонить сообщения (1)?")
    await d.press(confirm, "Да, отклонить")
    queue = await d.reply("Отклонено сообщений: 1.")
    assert "Сообщения жителей о происшествиях: ожидают 0" in queue["text"]
    async with session_factory() as session:
        signal = (await session.scalars(select(OutageSignal))).one()
        assert (signal.status, signal.address_text, signal.building_id) == (
            SignalStatus.DISMISSED,
            "Заречная 14",
            None,
        )
    # A stale press on the handled group (an older copy of its card): told so, nothing logged.
    answer = await d.callback_answer(press_data(sandbox, d, group["message_id"], f"inq:log:{signal.id}:0"))
    assert answer["text"] == "Эти сообщения уже обработаны."
    async with session_factory() as session:
        assert (await session.scalars(select(Incident))).all() == []
