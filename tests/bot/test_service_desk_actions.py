"""The service's other actions from the queue: re-rating the urgency (new targets), the checklist
button with its progress, cancelling with a reason (the requester is told why); the requester
withdrawing a new request (the service is told)."""

from __future__ import annotations

from sqlalchemy import select

from models import ChecklistItem, StoredFile, User, utcnow
from models.enums import ServiceStatus, ServiceUrgency
from porucheno.settings import Settings
from services.notify import NoticeContext
from services.service_desk import requests
from tests.bot.assignments_support import PNG_1, PNG_2, buttons, outbox_fixture  # noqa: F401 - fixtures
from tests.bot.service_desk_support import Desk, desk_fixture  # noqa: F401 - fixtures


async def _filed(desk: Desk, ctx: NoticeContext, subject: str) -> int:
    async with desk.session_factory() as session:
        requester = await session.get(User, desk.requester.id)
        request = await requests.file_request(
            session, requester, requests.NewRequest(topic_id=desk.topic_id, subject=subject), ctx=ctx
        )
        await session.commit()
        return request.id


async def test_urgency_checklist_and_cancel_from_the_queue(desk: Desk, settings: Settings) -> None:
    ctx = NoticeContext.from_settings(settings)
    rid = await _filed(desk, ctx, "Замена монитора")
    async with desk.session_factory() as session:
        session.add_all(
            [
                ChecklistItem(service_request_id=rid, position=1, text="Найти монитор", done_at=utcnow()),
                ChecklistItem(service_request_id=rid, position=2, text="Подключить"),
            ]
        )
        await session.commit()
    before = await desk.request(rid)
    agent, requester = desk.agent.chat, desk.requester.chat

    listing = await agent.send("🛠 Мои заявки в службу", expect="Мои заявки в службу")
    await agent.press(listing, "📥 Очередь службы")
    queue = await agent.reply("Очередь службы")
    await agent.press(queue, next(b for b in buttons(queue) if "Замена монитора" in b))
    card = await agent.reply("Статус: новая, ещё не взята")
    assert "⏱ до " in card["text"]  # the reaction clock runs, in working time
    assert buttons(card)["☑️ Чек-лист 1/2"] == f"chk:open:r:{rid}"

    await agent.press(card, "⚡ Срочность")
    choices = await agent.reply("выберите срочность")
    await agent.press(choices, "🔴 Критическая")
    card = await agent.reply("Срочность: 🔴 Критическая")
    after = await desk.request(rid)
    assert after.urgency == ServiceUrgency.CRITICAL
    assert after.resolution_target_min is not None and before.resolution_target_min is not None
    assert after.resolution_target_min < before.resolution_target_min
    assert after.resolution_due_at is not None
    told = await requester.reply("Служба изменила срочность вашей заявки")
    assert f"Решение до {ctx.format_dt(after.resolution_due_at)}." in told["text"]

    await agent.press(card, "✖ Отменить")
    await agent.reply("Напишите причину отмены заявки.")
    await agent.send("Дубликат: монитор уже заменили по другой заявке", expect="Заявка отменена.")
    told = await requester.reply("✖ Заявка отменена")
    assert "Причина: Дубликат: монитор уже заменили" in told["text"]
    assert (await desk.request(rid)).status == ServiceStatus.CANCELLED


async def test_requester_withdraws_and_the_service_is_told(desk: Desk, settings: Settings) -> None:
    ctx = NoticeContext.from_settings(settings)
    rid = await _filed(desk, ctx, "Не открывается почта")
    await desk.agent.chat.reply("Новая заявка в службу")
    requester = desk.requester.chat
    mine = await requester.send("🛠 Мои заявки в службу", expect="Мои заявки в службу")
    await requester.press(mine, next(b for b in buttons(mine) if "Не открывается почта" in b))
    card = await requester.reply("Статус: новая, ещё не взята")
    await requester.press(card, "✖ Отозвать")
    await requester.reply("Напишите причину отмены заявки.")
    await requester.send("Заработало само", expect="Заявка отменена.")
    for person in (desk.agent, desk.colleague):
        told = await person.chat.reply("✖ Заявка отменена")
        assert "Причина: Заработало само" in told["text"]
    assert (await desk.request(rid)).status == ServiceStatus.CANCELLED


async def test_requester_sends_an_album_to_the_service(desk: Desk, settings: Settings) -> None:
    ctx = NoticeContext.from_settings(settings)
    rid = await _filed(desk, ctx, "Сломалось кресло")
    await desk.agent.chat.reply("Новая заявка в службу")
    requester = desk.requester.chat
    mine = await requester.send("🛠 Мои заявки в службу", expect="Мои заявки в службу")
    await requester.press(mine, next(b for b in buttons(mine) if "Сломалось кресло" in b))
    card = await requester.reply("Статус: новая, ещё не взята")
    await requester.press(card, "💬 Написать")
    await requester.reply("Напишите сообщение для службы")
    await requester.client.send_album(requester.user_id, [(PNG_1, "chair.png"), (PNG_2, "leg.png")])
    ask = await requester.reply("Альбом получен, приложено файлов: 2.")
    await requester.press(ask, "📨 Отправить файлы")
    sent = await requester.reply("Сообщение отправлено.")
    assert "📎 Файлов: 2" in sent["text"]
    for person in (desk.agent, desk.colleague):
        told = await person.chat.reply("💬 Заявитель написал")
        assert "📎 Файлов: 2" in told["text"]
    async with desk.session_factory() as session:
        stored = (await session.scalars(select(StoredFile).where(StoredFile.service_request_id == rid))).all()
        assert len(stored) == 2 and all(f.service_comment_id is not None for f in stored)
