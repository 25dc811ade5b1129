"""Crafted and stale presses on service requests: a staff member who is neither the requester nor the
service cannot open or act on a request by forging its id; the requester cannot act for the service;
people who are not staff are refused; old buttons and hostile input get a clear answer, never a crash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from models import ServiceComment, ServiceRequest, User
from models.enums import ServiceStatus, ServiceUrgency
from porucheno.settings import Settings
from sandbox.runner import RunningSandbox
from services.notify import NoticeContext
from services.service_desk import requests, resolution
from tests.bot.assignments_support import buttons, outbox_fixture, press_data  # noqa: F401 - fixtures
from tests.bot.service_desk_support import Desk, desk_fixture  # noqa: F401 - fixtures

NOT_FOUND = "Заявка не найдена."
OUTDATED = "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."


async def _filed(desk: Desk, ctx: NoticeContext) -> int:
    async with desk.session_factory() as session:
        requester = await session.get(User, desk.requester.id)
        request = await requests.file_request(
            session,
            requester,
            requests.NewRequest(topic_id=desk.topic_id, subject="Нет интернета", urgency=ServiceUrgency.HIGH),
            ctx=ctx,
        )
        await session.commit()
        return request.id


async def test_foreign_ids_in_crafted_presses(
    desk: Desk, sandbox: RunningSandbox, settings: Settings
) -> None:
    rid = await _filed(desk, NoticeContext.from_settings(settings))
    outsider = desk.outsider.chat
    listing = await outsider.send("🛠 Мои заявки в службу", expect="У вас пока нет заявок.")
    assert "📥 Очередь службы" not in buttons(listing)  # not a service's person
    for action in (
        "open",
        "take",
        "tko",
        "say",
        "note",
        "ask",
        "done",
        "no",
        "ok",
        "cancel",
        "urg",
        "u-low",
        "r5",
    ):
        query = press_data(sandbox, outsider, listing["message_id"], f"sd:{action}:{rid}")
        assert (await outsider.callback_answer(query))["text"] == NOT_FOUND, action
    for forged in ("sd:open:99999999999999999999", "sd:open:-3", "sd:open:0"):
        query = press_data(sandbox, outsider, listing["message_id"], forged)
        assert (await outsider.callback_answer(query))["text"] == NOT_FOUND, forged
    query = press_data(sandbox, outsider, listing["message_id"], "sd:queue:0")
    assert (await outsider.callback_answer(query))["text"] == "Очередь доступна только сотрудникам службы."

    # The requester sees their request but cannot work it as the service.
    requester = desk.requester.chat
    notice = await requester.send("🛠 Мои заявки в службу", expect="Мои заявки в службу")
    for action in ("take", "note", "ask", "done", "u-critical"):
        query = press_data(sandbox, requester, notice["message_id"], f"sd:{action}:{rid}")
        answer = await requester.callback_answer(query)
        assert answer["text"] == "Это может сделать только служба, которая ведёт заявку.", action

    async with desk.session_factory() as session:
        row = await session.get(ServiceRequest, rid)
        assert row is not None and row.status == ServiceStatus.NEW and row.assignee_id is None
        assert row.urgency == ServiceUrgency.HIGH
        assert await session.scalar(select(func.count()).select_from(ServiceComment)) == 0


async def test_not_staff_are_refused(
    desk: Desk, new_chat: Any, sandbox: RunningSandbox, settings: Settings
) -> None:
    rid = await _filed(desk, NoticeContext.from_settings(settings))
    resident = await new_chat("Мария")
    menu = await resident.send("/start", expect="Здравствуйте")
    assert "🛠 Заявка в службу" not in [b["text"] for row in menu["reply_markup"]["keyboard"] for b in row]
    query = press_data(sandbox, resident, menu["message_id"], f"sd:open:{rid}")
    assert (await resident.callback_answer(query))["text"] == "Заявки в службы — только для сотрудников."


async def test_stale_buttons_and_hostile_input(
    desk: Desk, sandbox: RunningSandbox, settings: Settings
) -> None:
    ctx = NoticeContext.from_settings(settings)
    rid = await _filed(desk, ctx)
    requester = desk.requester.chat
    mine = await requester.send("🛠 Мои заявки в службу", expect="Мои заявки в службу")
    await requester.press(mine, next(b for b in buttons(mine) if "Нет интернета" in b))
    card = await requester.reply("Статус: новая, ещё не взята")
    assert "✖ Отозвать" in buttons(card)

    # Meanwhile the service takes and resolves it: the old card's «Withdraw» is refused, the state shown.
    async with desk.session_factory() as session:
        agent = await session.get(User, desk.agent.id)
        assert agent is not None
        await requests.take(session, agent, rid, ctx=ctx)
        await resolution.resolve(session, agent, rid, "Перезагрузили роутер", ctx=ctx)
        await session.commit()
    query = await requester.press(card, "✖ Отозвать")
    answer = await requester.callback_answer(query)
    assert answer["text"] == "В текущем состоянии заявки это действие невозможно."
    current = await requester.reply("решена, ждёт подтверждения")
    assert list(buttons(current))[:2] == ["✅ Подтвердить", "↩️ Не решено"]

    # A too long subject while filing a new one; a file over Telegram's 20 MB limit for bots.
    topics = await requester.send("🛠 Заявка в службу", expect="Выберите тему")
    for forged in ("sdn:t:99999999999999999999", "sdn:t:0", "sdn:u:extreme"):
        query = press_data(sandbox, requester, topics["message_id"], forged)
        assert (await requester.callback_answer(query))["text"] == OUTDATED, forged
    await requester.press(topics, "Рабочее место")
    await requester.press(await requester.reply("Насколько это срочно?"), "🔵 Обычная")
    await requester.reply("первая строка — тема")
    await requester.send("Я" * 250, expect="не более 200 символов")
    await requester.send("Не работает мышь", expect="Текст сохранён.")
    await requester.client.send_document(
        requester.user_id, b"%PDF-1.4\n" + bytes(21 * 1024 * 1024), "big.pdf"
    )
    refused = await requester.reply("больше 20 МБ")
    assert "✅ Готово" in buttons(refused)
    await requester.press(refused, "✅ Готово")
    check = await requester.reply("Проверьте заявку")
    assert "Приложено файлов: 0." in check["text"]
    await requester.press(check, "📨 Отправить")
    await requester.reply("принята")
