"""Only dispatchers reach the incident flows: forged presses by anyone else change nothing; stale and
forged presses of a dispatcher get a clear alert; hostile or overlong input gets a clear message."""

from __future__ import annotations

from datetime import timedelta

from models import Incident, OutageSignal, User, utcnow
from models.enums import IncidentKind, IncidentStatus, InformantKind, SignalStatus
from services.incidents import journal
from services.incidents.signals import report_incident_signal
from tests.bot.dispatch_support import Town, buttons, press_data, town_fixture  # noqa: F401 - fixtures
from tests.bot.incidents_support import Partner, partner_fixture  # noqa: F401 - fixtures

ONLY_DISPATCHER = "Вести журнал происшествий может только дежурный диспетчер."


async def _incident_and_report(session_factory, town: Town) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        dispatcher = await session.get(User, town.dispatcher_id)
        incident = await journal.log_incident(
            session,
            dispatcher,
            journal.NewIncident(
                kind=IncidentKind.SEWER,
                received_at=utcnow() - timedelta(hours=1),
                informant_kind=InformantKind.SERVICE,
                description="Излив из колодца",
                building_id=town.houses["ул. Мира 2"],
            ),
            tz=town.ctx.tz,
        )
        signal = await report_incident_signal(
            session,
            town.accounts["lenina1"],
            town.houses["ул. Ленина 1"],
            None,
            IncidentKind.FALLEN_TREE,
            "Дерево",
        )
        await session.commit()
        return incident.id, signal.id


async def _alert(chat, sandbox, message_id: int, data: str) -> str:  # type: ignore[no-untyped-def]
    answer = await chat.callback_answer(press_data(sandbox, chat, message_id, data))
    assert answer["show_alert"], data
    return answer["text"]


async def test_others_cannot_use_the_flows_or_forge_presses(
    town: Town, partner: Partner, sandbox, session_factory
) -> None:
    incident_id, signal_id = await _incident_and_report(session_factory, town)
    ex = town.executor
    menu = await ex.send("/menu", expect="меню")
    labels = [b["text"] for row in menu["reply_markup"]["keyboard"] for b in row]
    assert not {"Новое происшествие", "Происшествия"} & set(labels)
    await ex.send("Новое происшествие", expect="не понял")
    mid = menu["message_id"]
    for data in (
        f"inc:close:{incident_id}:0:0",
        f"inc:act:{incident_id}:0:0",
        f"inc:to:{incident_id}:{partner.org_id}:0",
        f"inc:open:{incident_id}:0:0",
        f"inq:disy:{signal_id}:0",
        f"inq:log:{signal_id}:0",
        "inp:log:",
        "inp:kind:fire",
    ):
        assert await _alert(ex, sandbox, mid, data) == ONLY_DISPATCHER, data
    async with session_factory() as session:
        incident = await session.get(Incident, incident_id)
        assert incident.status == IncidentStatus.OPEN and incident.responsible_organisation_id is None
        assert (await session.get(OutageSignal, signal_id)).status == SignalStatus.NEW
    assert not [m for m in await ex.client.bot_messages(ex.user_id) if "Происшествие №" in (m["text"] or "")]


async def test_stale_forged_and_hostile_input_of_a_dispatcher(town: Town, sandbox, session_factory) -> None:
    incident_id, _ = await _incident_and_report(session_factory, town)
    d = town.dispatcher
    menu = await d.send("/menu", expect="меню")
    mid = menu["message_id"]
    outdated = "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."
    assert await _alert(d, sandbox, mid, "inp:log:") == outdated  # no draft being made
    assert await _alert(d, sandbox, mid, "inc:act:999999:0:0") == "Происшествие не найдено."
    huge = "9" * 25  # beyond a BIGINT: refused as not found, not by the database
    assert await _alert(d, sandbox, mid, f"inc:open:{huge}:0:0") == "Происшествие не найдено."
    assert await _alert(d, sandbox, mid, "inc:open:-5:0:0") == "Происшествие не найдено."
    assert await _alert(d, sandbox, mid, f"inc:to:{incident_id}:{huge}:0") == "Организация не найдена."
    assert await _alert(d, sandbox, mid, f"inc:nonsense:{incident_id}:0:0") == outdated
    assert await _alert(d, sandbox, mid, "inq:open:999999:0") == "Эти сообщения уже обработаны."

    # Hostile text is shown as text; a forged kind is refused; an overlong description is refused.
    await d.send("Новое происшествие", expect="Новое происшествие")
    kinds = await d.reply("Что произошло?")
    assert await _alert(d, sandbox, kinds["message_id"], "inp:kind:evil") == outdated
    await d.press(kinds, "❗ Другое происшествие")
    where = await d.reply("Где?")
    gone = await _alert(d, sandbox, where["message_id"], f"inp:b:{huge}")
    assert gone == "Этого адреса больше нет в реестре."
    offer = await d.send("<b>двор</b> & <script>", expect="нет номера дома")
    assert "«<b>двор</b> & <script>»" in offer["text"]
    await d.press(offer, "📝 Записать место как написано")
    ask = await d.reply("Кто сообщил?")
    await d.press(ask, "Житель")
    await d.send("x" * 300, expect="Имя слишком длинное: не более 255 символов")
    await d.send("Аноним", expect="Опишите, что произошло")
    await d.send("ж" * 4001, expect="Текст слишком длинный: не более 4000 символов")
    ask = await d.send("<i>не курсив</i>", expect="Какая организация отвечает")
    await d.press(ask, "Без организации")
    preview = await d.reply("проверьте перед записью")
    assert "Место: <b>двор</b> & <script>" in preview["text"] and "<i>не курсив</i>" in preview["text"]
    await d.press(preview, "📒 Записать в журнал")
    card = await d.reply("Статус: Открыто")

    # Closed meanwhile (in the panel): the card's buttons are refused and it shows the current state.
    async with session_factory() as session:
        dispatcher = await session.get(User, town.dispatcher_id)
        await journal.close_incident(session, dispatcher, incident_id, "Устранено")
        await session.commit()
    listing = await d.send("Происшествия", expect="Открытые происшествия: 1")
    assert len([b for b in buttons(listing) if b.startswith("№")]) == 1
    await d.press(card, "🛠 Мера/действие")
    await d.reply("Опишите принятую меру")
    await d.send("ж" * 4001, expect="Текст слишком длинный")
    await d.send("/cancel", expect="Действие отменено.")
    answer = await _alert(d, sandbox, card["message_id"], f"inc:close:{incident_id}:0:0")
    assert answer == "Происшествие уже закрыто; вот его текущее состояние."
