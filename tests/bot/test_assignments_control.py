"""Declining and reassigning; extension requests approved and rejected."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Assignment, ExtensionRequest, utcnow
from services.assignments.deadline_rules import quick_pick
from services.work_calendar.clock import WorkCalendar
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    buttons,
    create_assignment,
    outbox_fixture,
    town_fixture,
)


async def test_decline_with_reason_then_reassign(town, session_factory) -> None:
    ex, ctl, mate = town.executor.chat, town.controller.chat, town.colleague.chat
    aid = await create_assignment(session_factory, town)
    card = await ex.reply(f"Поручение №{aid}")

    await ex.press(card, "↩️ Отклонить")
    ask = await ex.reply("Почему вы отказываетесь")
    assert "Чтобы отменить, отправьте /cancel." in ask["text"]
    await ex.client.send_sticker(ex.user_id)
    await ex.reply("напишите это текстовым сообщением")
    await ex.send("Нахожусь в отпуске до понедельника", expect="Автор уведомлён")
    declined = await ex.client.wait_for(
        ex.user_id, contains="Вы отказались от поручения\n", after_message_id=0
    )
    assert declined["message_id"] == card["message_id"] and "Статус: отклонено" in declined["text"]
    assert "↩️ Отклонить" not in buttons(declined)

    notice = await ctl.reply("Исполнитель отклонил поручение")
    assert "Причина: Нахожусь в отпуске до понедельника" in notice["text"]
    await ctl.press(notice, "👤 Переназначить")
    picker = await ctl.reply("Кому передать поручение")
    # The department's people, without the one who declined.
    assert list(buttons(picker)) == ["Кузнецова Ольга Викторовна", "Сидоров Пётр Ильич"]
    found = await ctl.send("орлова", expect="Кому передать поручение?")
    assert list(buttons(found)) == ["Орлова Нина Павловна"]
    assert "Никого не нашлось" in (await ctl.send("Иванов"))["text"]

    await ctl.press(picker, "Сидоров Пётр Ильич")
    done = await ctl.reply("передано: Сидоров Пётр Ильич")
    assert done["message_id"] == picker["message_id"] and not buttons(done)
    edited = await ctl.client.wait_for(ctl.user_id, contains="Статус: новое", after_message_id=0)
    assert edited["message_id"] == notice["message_id"]
    new_card = await mate.reply(f"Поручение №{aid}")
    assert new_card["text"].startswith("Новое поручение") and "✅ Принять" in buttons(new_card)

    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and (a.status, a.executor_id) == ("new", town.colleague.id)


async def test_extension_approved_then_rejected(town, session_factory) -> None:
    ex, ctl = town.executor.chat, town.controller.chat
    aid = await create_assignment(session_factory, town)
    card = await ex.reply(f"Поручение №{aid}")
    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None
        first_deadline = a.deadline

    await ex.press(card, "⏳ Продлить срок")
    ask = await ex.reply("Выберите новый срок ниже")
    assert [label.split(" (")[0] for label in buttons(ask)] == [
        "+1 рабочий день",
        "+3 рабочих дня",
        "+1 рабочая неделя",
    ]
    await ex.press(ask, next(label for label in buttons(ask) if label.startswith("+3 рабочих дня")))
    await ex.reply("Почему нужно больше времени")
    sent = await ex.send("Ждём поставку реагентов", expect="Запрос отправлен")
    assert f"по поручению №{aid}" in sent["text"]

    request = await ctl.reply("Запрос на продление срока")
    assert "Причина: Ждём поставку реагентов" in request["text"]
    query = await ctl.press(request, "✅ Одобрить")
    assert (await ctl.callback_answer(query))["answered"]
    approved = await ctl.reply("✅ Одобрено: новый срок")
    assert approved["message_id"] == request["message_id"] and not buttons(approved)
    await ex.reply("Продление срока одобрено")

    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and a.deadline == quick_pick(
            first_deadline, 3, now=utcnow(), calendar=WorkCalendar(town.ctx.tz)
        )
        second_deadline = a.deadline

    # A typed date; malformed and too early ones are explained.
    await ex.press(card, "⏳ Продлить срок")
    await ex.reply("Выберите новый срок ниже")
    assert "Не удалось распознать дату" in (await ex.send("в пятницу"))["text"]
    assert "Это время уже прошло" in (await ex.send("01.01.2020 10:00"))["text"]
    earlier = town.ctx.local(second_deadline - timedelta(hours=2)).strftime("%d.%m.%Y %H:%M")
    assert "должен быть позже текущего" in (await ex.send(earlier))["text"]
    wanted = town.ctx.local(second_deadline + timedelta(days=10)).strftime("%d.%m.%Y 17:30")
    await ex.send(wanted, expect="Почему нужно больше времени")
    await ex.send("Сильные морозы", expect="Запрос отправлен")
    request = await ctl.reply("Причина: Сильные морозы")
    await ctl.press(request, "❌ Отклонить")
    await ctl.reply("Почему вы отказываете в переносе срока")
    await ctl.send("Сроки согласованы с прокуратурой", expect="❌ Отклонено")
    rejected = await ctl.client.wait_for(
        ctl.user_id, contains="Причина: Сроки согласованы", after_message_id=0
    )
    assert rejected["message_id"] == request["message_id"] and not buttons(rejected)
    told = await ex.reply("В продлении срока отказано")
    assert "Причина: Сроки согласованы с прокуратурой" in told["text"]

    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and a.deadline == second_deadline
        statuses = sorted((await session.scalars(select(ExtensionRequest.status))).all())
    assert statuses == ["approved", "rejected"]


async def test_comments_reach_the_other_side(town, session_factory) -> None:
    ex, ctl = town.executor.chat, town.controller.chat
    aid = await create_assignment(session_factory, town)
    card = await ex.reply(f"Поручение №{aid}")

    await ex.press(card, "💬 Комментарий")
    await ex.reply("Напишите комментарий к поручению")
    await ex.send("Уточните, вывозить ли снег", expect=f"Комментарий к поручению №{aid} отправлен.")
    note = await ctl.reply("Новый комментарий")
    assert "От: Попов Игорь Петрович" in note["text"] and "Уточните, вывозить ли снег" in note["text"]
    assert list(buttons(note)) == ["💬 Ответить", f"Открыть №{aid}"]

    await ctl.press(note, "💬 Ответить")
    await ctl.reply("Напишите комментарий к поручению")
    await ctl.send("Да, <обязательно>", expect="отправлен")
    answer = await ex.reply("Новый комментарий")
    assert "Да, <обязательно>" in answer["text"] and "От: Кузнецова Ольга Викторовна" in answer["text"]
    # The writer gets no copy of their own comment.
    own = [m for m in await ctl.client.bot_messages(ctl.user_id) if "Да, <обязательно>" in (m["text"] or "")]
    assert own == []

    await ctl.press(note, f"Открыть №{aid}")
    opened = await ctl.reply("Карточка поручения")
    assert list(buttons(opened)) == [
        "💬 Комментарий",
        "🗓 Срок",
        "👤 Переназначить",
        "🚫 Отменить",
        "☑️ Добавить чек-лист",
    ]
