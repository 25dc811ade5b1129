"""Only dispatchers (and admins) reach the dispatch flows; forged, stale and repeated presses change
nothing; a dispatcher who loses the role mid-way is stopped at the next step."""

from __future__ import annotations

from datetime import timedelta

from models import Outage, OutageSignal, User, utcnow
from models.enums import OutageStatus, SignalStatus
from services import staff
from services.audit import Actor
from services.outages import lifecycle, signals
from tests.bot.dispatch_support import Town, eventually, press_data, town_fixture  # noqa: F401 - fixtures

ONLY_DISPATCHER = "Управлять отключениями может только дежурный диспетчер."


async def _active_outage(session_factory, town: Town) -> tuple[int, int]:
    async with session_factory() as session:
        dispatcher = await session.get(User, town.dispatcher_id)
        outage = await lifecycle.create_outage(
            session,
            dispatcher,
            lifecycle.NewOutage(
                kind="accident",
                resource="gas",
                building_ids=[town.houses["ул. Ленина 1"]],
                starts_at=utcnow() - timedelta(hours=1),
                expected_end_at=None,
            ),
        )
        await lifecycle.publish(session, town.ctx, dispatcher, outage.id)
        signal = await signals.report_signal(
            session, town.accounts["mira4"], town.houses["ул. Мира 4"], None, "gas", "Пахнет газом"
        )
        await session.commit()
        return outage.id, signal.id


async def _alert(chat, sandbox, message_id: int, data: str) -> str:
    answer = await chat.callback_answer(press_data(sandbox, chat, message_id, data))
    assert answer["show_alert"], data
    return answer["text"]


async def test_others_cannot_use_the_flows_or_forge_presses(town: Town, sandbox, session_factory) -> None:
    outage_id, signal_id = await _active_outage(session_factory, town)
    ex = town.executor
    menu = await ex.send("/menu", expect="меню")
    labels = [b["text"] for row in menu["reply_markup"]["keyboard"] for b in row]
    assert not {"Новое отключение", "Активные отключения", "Сообщения жителей"} & set(labels)
    await ex.send("Новое отключение", expect="не понял")
    mid = menu["message_id"]
    for data in (
        f"dso:resy:{outage_id}:0",
        f"dso:cany:{outage_id}:0",
        f"dso:open:{outage_id}:0",
        f"dsq:disy:{signal_id}:0:0",
        f"dsq:to:{signal_id}:{outage_id}:0",
        "dsp:pub:",
        f"dsh:all:{town.houses['ул. Ленина 3']}:0",
    ):
        assert await _alert(ex, sandbox, mid, data) == ONLY_DISPATCHER, data
    async with session_factory() as session:
        assert (await session.get(Outage, outage_id)).status == OutageStatus.ACTIVE
        assert (await session.get(OutageSignal, signal_id)).status == SignalStatus.NEW
    assert not [m for m in await ex.client.bot_messages(ex.user_id) if "Отключение №" in (m["text"] or "")]


async def test_stale_and_repeated_presses(town: Town, sandbox, session_factory) -> None:
    outage_id, _ = await _active_outage(session_factory, town)
    d = town.dispatcher
    menu = await d.send("/menu", expect="меню")
    mid = menu["message_id"]
    assert (
        await _alert(d, sandbox, mid, "dsp:pub:")
        == "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."
    )
    assert await _alert(d, sandbox, mid, "dso:resy:999999:0") == "Отключение не найдено."
    listing = await d.send("Активные отключения", expect="Активные отключения")
    await d.press(listing, f"⚠️ №{outage_id} 🔵 газ")
    card = await d.reply(f"Отключение №{outage_id}")
    await d.press(card, "❎ Отменить отключение")
    confirm = await d.reply("Отменить отключение")
    query = await d.press(confirm, "❎ Да, отменить")
    assert (await d.callback_answer(query))["text"] == "Готово."
    card = await d.reply("Статус: отменено")
    # The same confirmation pressed again (a double tap, an old message): refused, nothing changes.
    again = await _alert(d, sandbox, card["message_id"], f"dso:cany:{outage_id}:0")
    assert again == "Отключение уже изменилось — вот его текущее состояние."

    async def cancelled() -> bool:
        async with session_factory() as session:
            return (await session.get(Outage, outage_id)).status == OutageStatus.CANCELLED

    await eventually(cancelled)


async def test_role_revoked_mid_conversation(town: Town, sandbox, session_factory) -> None:
    d = town.dispatcher
    ask = await d.send("Новое отключение", expect="аварийное или плановое")
    async with session_factory() as session:
        await staff.set_roles(session, Actor.system(), town.dispatcher_id, ["executor"])
        await session.commit()
    query = await d.press(ask, "⚠️ Аварийное отключение")
    assert (await d.callback_answer(query))["text"] == ONLY_DISPATCHER
    await d.send("Ленина", expect="не понял")  # the conversation is over
