"""What the walk found (issue #12, item 5) in assignment work, one test each: quick picks of an
overdue assignment, a rejected extension's reason, a long report cut safely, the controller's
deadline change, cancel and reassign in the bot; and an outdated card pressed (item 4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from models import Assignment, AuditEvent, ExtensionRequest, User, utcnow
from services.assignments import commands, extensions
from services.assignments.deadline_rules import quick_pick
from services.assignments.lifecycle import Action
from services.work_calendar.clock import WorkCalendar
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    buttons,
    create_assignment,
    outbox_fixture,
    submit_report,
    town_fixture,
)


async def _open_from_list(chat, aid: int, menu: str) -> dict:  # type: ignore[no-untyped-def]
    listing = await chat.send(menu, expect=f"{menu} — ")
    await chat.press(listing, next(label for label in buttons(listing) if label.startswith(f"№{aid}")))
    return await chat.reply("Карточка поручения")


async def test_overdue_extension_picks_count_from_today(town, session_factory) -> None:
    ex = town.executor.chat
    now = utcnow()
    missed = now - timedelta(days=4)
    aid = await create_assignment(session_factory, town, deadline=missed, now=now - timedelta(days=6))
    card = await ex.reply(f"Поручение №{aid}")

    await ex.press(card, "⏳ Продлить срок")
    ask = await ex.reply("Выберите новый срок ниже")
    for label in buttons(ask):  # every quick pick lies ahead
        when = datetime.strptime(label.split("(до ")[1].rstrip(")"), "%d.%m.%Y %H:%M").replace(
            tzinfo=town.ctx.tz
        )
        assert when > now, label
    assert "Это время уже прошло" in (await ex.send(town.ctx.format_dt(missed + timedelta(days=1))))["text"]
    await ex.press(ask, next(label for label in buttons(ask) if label.startswith("+1 рабочий день")))
    await ex.reply("Почему нужно больше времени")
    await ex.send("Техника была занята", expect="Запрос отправлен")

    async with session_factory() as session:
        request = await session.scalar(select(ExtensionRequest))
        assert request is not None
        local_new, local_old = town.ctx.local(request.new_deadline), town.ctx.local(missed)
        assert request.new_deadline > now
        # The next working day after today (or the day after, when the test runs across midnight).
        calendar = WorkCalendar(town.ctx.tz)
        today = town.ctx.local(now).date()
        assert local_new.date() in (
            calendar.next_working_day(today),
            calendar.next_working_day(calendar.next_working_day(today)),
        )
        assert (local_new.hour, local_new.minute) == (local_old.hour, local_old.minute)


async def test_rejected_extension_reason_reaches_the_executor(town, session_factory) -> None:
    ex, ctl = town.executor.chat, town.controller.chat
    aid = await create_assignment(session_factory, town)
    await ex.reply(f"Поручение №{aid}")
    async with session_factory() as session:
        executor = await session.get(User, town.executor.id)
        assert executor is not None
        a = await commands.load(session, aid)
        await extensions.request_extension(
            session, executor, aid, a.deadline + timedelta(days=2), "Нет материалов", notify=town.ctx
        )
        await session.commit()
    request = await ctl.reply("Запрос на продление срока")
    await ctl.press(request, "❌ Отклонить")
    ask = await ctl.reply("Почему вы отказываете в переносе срока")
    assert "Чтобы отменить, отправьте /cancel." in ask["text"]
    await ctl.send("Материалы есть на складе №2", expect="❌ Отклонено")
    told = await ex.reply("В продлении срока отказано")
    assert "Причина: Материалы есть на складе №2" in told["text"]
    async with session_factory() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "extension_rejected"))
        assert event is not None and event.reason == "Материалы есть на складе №2"


async def test_long_report_is_cut_with_an_ellipsis_and_valid_html(town, session_factory) -> None:
    ctl = town.controller.chat
    aid = await create_assignment(session_factory, town)
    long_text = "Трубы & <краны> заменены; " * 300  # escaping doubles it: a blind cut lands in «&amp;»
    await submit_report(session_factory, town, aid, text=long_text)
    review = await ctl.reply("Поступил отчёт на проверку")
    assert "…" in review["text"]
    assert "&amp" not in review["text"] and "&lt" not in review["text"]  # entities whole, shown as «&», «<»
    assert "Трубы & <краны> заменены" in review["text"]
    assert len(review["text"]) <= 4096


async def test_controller_changes_deadline_cancels_and_reassigns(town, session_factory) -> None:
    ex, ctl, mate = town.executor.chat, town.controller.chat, town.colleague.chat
    aid = await create_assignment(session_factory, town)
    await ex.reply(f"Поручение №{aid}")
    async with session_factory() as session:
        first = (await commands.load(session, aid)).deadline

    card = await _open_from_list(ctl, aid, "На контроле")
    assert {"🗓 Срок", "👤 Переназначить", "🚫 Отменить"} <= set(buttons(card))
    await ctl.press(card, "🗓 Срок")
    ask = await ctl.reply("Выберите новый срок ниже")
    assert "Новый срок должен быть в будущем" in (await ctl.send("01.01.2021 10:00"))["text"]
    await ctl.press(ask, next(label for label in buttons(ask) if label.startswith("+3 рабочих дня")))
    await ctl.reply(f"Новый срок поручения №{aid}")
    told = await ex.reply("Срок поручения изменён")
    moved = quick_pick(first, 3, now=utcnow(), calendar=WorkCalendar(town.ctx.tz))  # working days
    assert town.ctx.format_dt(moved) in told["text"]
    async with session_factory() as session:
        assert (await commands.load(session, aid)).deadline == moved
        assert await session.scalar(select(AuditEvent.id).where(AuditEvent.action == "deadline_changed"))

    # Reassign work already acknowledged (not only declined work).
    async with session_factory() as session:
        executor = await session.get(User, town.executor.id)
        assert executor is not None
        await commands.transition(session, executor, aid, Action.ACKNOWLEDGE)
        await session.commit()
    card = await _open_from_list(ctl, aid, "На контроле")
    await ctl.press(card, "👤 Переназначить")
    picker = await ctl.reply("Кому передать поручение")
    await ctl.press(picker, "Сидоров Пётр Ильич")
    await ctl.reply("передано: Сидоров Пётр Ильич")
    await mate.reply(f"Поручение №{aid}")

    card = await _open_from_list(ctl, aid, "На контроле")
    await ctl.press(card, "🚫 Отменить")
    await ctl.reply("Почему вы отменяете поручение")
    await ctl.send("Работы выполнит управляющая компания", expect=f"Поручение №{aid} отменено")
    cancelled = await mate.reply("Поручение отменено")
    assert "Причина: Работы выполнит управляющая компания" in cancelled["text"]
    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and (a.status, a.executor_id) == ("cancelled", town.colleague.id)


async def test_outdated_card_is_redrawn_and_says_what_changed(town, session_factory) -> None:
    ex = town.executor.chat
    aid = await create_assignment(session_factory, town)
    card = await ex.reply(f"Поручение №{aid}")
    assert "✅ Принять" in buttons(card)
    async with session_factory() as session:
        controller = await session.get(User, town.controller.id)
        assert controller is not None
        await commands.transition(session, controller, aid, Action.CANCEL, reason="Не нужно")
        await session.commit()

    query = await ex.press(card, "✅ Принять")
    answer = await ex.callback_answer(query)
    assert answer["show_alert"] and "Сейчас: отменено" in answer["text"]
    redrawn = await ex.client.wait_for(ex.user_id, contains="Статус: отменено", after_message_id=0)
    assert redrawn["message_id"] == card["message_id"] and not buttons(redrawn)
    async with session_factory() as session:
        assert await session.scalar(select(AuditEvent.id).where(AuditEvent.action == "acknowledge")) is None
