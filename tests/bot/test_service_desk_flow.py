"""A staff member files a request with a photo; an agent takes it, asks a question, the requester
answers, the agent resolves, the requester says it is not solved, the agent resolves again, the
requester confirms and rates — everyone told in the bot at each step."""

from __future__ import annotations

from sqlalchemy import select

from models import ServiceComment, StoredFile
from models.enums import ServiceStatus
from tests.bot.assignments_support import PNG_1, buttons, outbox_fixture  # noqa: F401 - fixtures
from tests.bot.conftest import keyboard_texts
from tests.bot.service_desk_support import Desk, desk_fixture  # noqa: F401 - fixtures

SUBJECT = "Не печатает принтер"
# «&» and «<…>» must read as typed (the text was once escaped twice: «&amp;» in the chat).
DETAILS = "В кабинете 12 принтер HP & сканер <МФУ-2> не печатают с утра, горит оранжевая лампа"


async def file_request(desk: Desk) -> dict:
    """The requester's whole filing conversation; the bot's final answer."""
    r = desk.requester.chat
    menu = await r.send("/menu", expect="меню")
    assert "🛠 Заявка в службу" in keyboard_texts(menu) and "🛠 Мои заявки в службу" in keyboard_texts(menu)
    topics = await r.send("🛠 Заявка в службу", expect="Выберите тему")
    assert list(buttons(topics)) == ["Рабочее место", "✖ Отменить"]  # not the inactive topic
    await r.press(topics, "Рабочее место")
    urgency = await r.reply("Насколько это срочно?")
    assert list(buttons(urgency))[:4] == ["🟢 Низкая", "🔵 Обычная", "🟠 Высокая", "🔴 Критическая"]
    await r.press(urgency, "🟠 Высокая")
    await r.reply("первая строка — тема")
    await r.send(f"{SUBJECT}\n{DETAILS}", expect="Текст сохранён.")
    await r.client.send_photo(r.user_id, PNG_1, "printer.png")
    ask = await r.reply("Приложено файлов: 1.")
    await r.press(ask, "✅ Готово")
    check = await r.reply("Проверьте заявку")
    assert SUBJECT in check["text"] and "Срочность: 🟠 Высокая" in check["text"]
    assert DETAILS in check["text"], check["text"]
    await r.press(check, "📨 Отправить")
    return await r.reply("принята")


async def test_request_lifecycle_in_the_bot(desk: Desk) -> None:
    accepted = await file_request(desk)
    request = await desk.only_request()
    assert f"Заявка № {request.number} принята." in accepted["text"]
    assert request.reaction_due_at is not None and request.resolution_due_at is not None
    assert "реакция до " in accepted["text"] and "решение до " in accepted["text"]
    async with desk.session_factory() as session:
        files = (
            await session.scalars(select(StoredFile).where(StoredFile.service_request_id == request.id))
        ).all()
        assert [f.mime_type for f in files] == ["image/png"]

    # The service is told: both agents get the card with «Take»; the requester is not told of their own.
    agent, colleague, requester = desk.agent.chat, desk.colleague.chat, desk.requester.chat
    notice = await agent.reply("Новая заявка в службу")
    assert SUBJECT in notice["text"] and DETAILS in notice["text"]
    assert list(buttons(notice)) == ["✋ Взять", "📄 Открыть"]
    assert buttons(notice)["✋ Взять"] == f"sd:take:{request.id}"
    stale = await colleague.reply("Новая заявка в службу")

    # The agent's queue shows it among the new ones.
    listing = await agent.send("🛠 Мои заявки в службу", expect="Мои заявки в службу")
    await agent.press(listing, "📥 Очередь службы")
    queue = await agent.reply("Очередь службы")
    assert "Новые: 1" in queue["text"] and any(request.number in b for b in buttons(queue))

    query = await agent.press(notice, "✋ Взять")
    assert (await agent.callback_answer(query))["text"] == "Заявка теперь ваша."
    card = await agent.reply("Исполнитель: Смирнов Алексей Игоревич")
    assert "❓ Спросить заявителя" in buttons(card) and "📋 Шаблоны ответов" in buttons(card)
    assert buttons(card)["📋 Шаблоны ответов"] == f"tpl:req:{request.id}"

    # The photo the requester sent comes into the agent's chat on demand.
    before = len(await agent.client.bot_messages(agent.user_id))
    await agent.press(card, "📎 Файлы (1)")
    await agent.reply(f"Файлы заявки № {request.number}.")
    sent = (await agent.client.bot_messages(agent.user_id))[before:]
    assert [m["kind"] for m in sent] == ["photo", "text"]
    taken = await requester.reply("Вашу заявку взяли в работу")
    assert "Исполнитель: Смирнов Алексей Игоревич" in taken["text"]

    # The colleague's notice is stale now: «Take» does not take it over from the agent.
    query = await colleague.press(stale, "✋ Взять")
    answer = await colleague.callback_answer(query)
    assert answer["text"] == "Заявка уже изменилась; вот её текущее состояние."
    assert (await desk.request(request.id)).assignee_id == desk.agent.id

    # An internal note stays within the service.
    await agent.press(card, "🔒 Внутренняя заметка")
    await agent.reply("её видит только служба")
    card = await agent.send("Проверить картридж на складе", expect="Заметка сохранена.")
    assert "🔒" in card["text"] and "Проверить картридж на складе" in card["text"]

    # A question pauses the clocks until the requester answers.
    await agent.press(card, "❓ Спросить заявителя")
    await agent.reply("Напишите вопрос заявителю")
    card = await agent.send("Какая модель принтера и что на экране?", expect="Вопрос отправлен")
    row = await desk.request(request.id)
    assert row.status == ServiceStatus.WAITING and row.paused_at is not None
    question = await requester.reply("Служба задаёт вопрос")
    assert "Какая модель принтера" in question["text"]
    await requester.press(question, "↩️ Ответить")
    await requester.reply("Напишите сообщение для службы")
    await requester.send("HP LaserJet 1020, на экране ошибка замятия", expect="Сообщение отправлено.")
    row = await desk.request(request.id)
    assert row.status == ServiceStatus.IN_WORK and row.paused_at is None
    answered = await agent.reply("Заявитель написал")
    assert "ошибка замятия" in answered["text"]

    # Resolved: the requester says it is not solved, with a reason.
    await agent.press(card, "✅ Решено")
    await agent.reply("Напишите, что сделано")
    await agent.send("Извлекли замятую бумагу", expect="Заявка решена")
    resolved = await requester.reply("Ваша заявка решена")
    assert "Извлекли замятую бумагу" in resolved["text"]
    assert list(buttons(resolved)) == ["✅ Подтвердить", "↩️ Не решено"]
    await requester.press(resolved, "↩️ Не решено")
    await requester.reply("Что по-прежнему не так?")
    await requester.send("Снова зажёвывает каждый второй лист", expect="Заявка снова в работе.")
    reopened = await agent.reply("Заявитель сообщает, что не решено")
    assert "каждый второй лист" in reopened["text"]
    row = await desk.request(request.id)
    assert row.status == ServiceStatus.IN_WORK and row.reopen_count == 1

    # Resolved again from the reopened notice's card; confirmed and rated 5.
    await agent.press(reopened, "📄 Открыть")
    card = await agent.reply("Снова зажёвывает")  # the history on the card
    await agent.press(card, "✅ Решено")
    await agent.reply("Напишите, что сделано")
    await agent.send("Заменили ролик захвата бумаги", expect="Заявка решена")
    resolved = await requester.reply("Заменили ролик")
    await requester.press(resolved, "✅ Подтвердить")
    stars = await requester.reply("закрыта. Как вы оцените работу?")
    query = await requester.press(stars, "⭐⭐⭐⭐⭐")
    assert (await requester.callback_answer(query))["text"] == "Спасибо за оценку!"
    row = await desk.request(request.id)
    assert row.status == ServiceStatus.CLOSED and row.rating == 5
    await agent.reply("Заявитель оценил работу")

    # «My requests» lists it, closed; its card shows the history without the service's internal note.
    mine = await requester.send("🛠 Мои заявки в службу", expect="Мои заявки в службу")
    await requester.press(mine, next(b for b in buttons(mine) if request.number in b))
    own = await requester.reply("Заменили ролик")
    assert "Статус: выполнена и закрыта" in own["text"] and "Оценка: ⭐⭐⭐⭐⭐" in own["text"]
    assert "картридж на складе" not in own["text"] and "HP LaserJet 1020" in own["text"]
    async with desk.session_factory() as session:
        said = (await session.scalars(select(ServiceComment).order_by(ServiceComment.id))).all()
        assert [c.internal for c in said] == [True, False, False, False, False, False]
