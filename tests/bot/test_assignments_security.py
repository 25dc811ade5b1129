"""Buttons are never trusted: forged and repeated presses are refused, alerted and logged."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import func, select

from models import AuditEvent, OutboxMessage
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    buttons,
    create_assignment,
    outbox_fixture,
    press_data,
    submit_report,
    town_fixture,
)
from tests.bot.conftest import Chat

NO_RIGHT = "У вас нет права на это действие с этим поручением."


async def _answer(chat: Chat, query_id: str) -> dict:
    return await chat.callback_answer(query_id)


async def test_forged_callbacks_are_refused_and_logged(town, sandbox, session_factory, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.assignments")
    aid = await create_assignment(session_factory, town)
    await submit_report(session_factory, town, aid)
    await town.controller.chat.reply("Поступил отчёт на проверку")

    # Someone from another department, on a message of their own chat.
    outsider = town.outsider.chat
    anchor = await outsider.send("/start", expect="Здравствуйте")
    mid = anchor["message_id"]
    for data, expected in [
        (f"asg:accept:{aid}", NO_RIGHT),
        (f"asg:open:{aid}", "Поручение не найдено."),
        (f"asg:comment:{aid}", "Поручение не найдено."),
        (f"asg:report:{aid}", NO_RIGHT),
        (f"asg:reassign:{aid}", NO_RIGHT),
        (f"rsg:{aid}:{town.outsider.id}", NO_RIGHT),
        (f"asg:files:{aid}", "Поручение не найдено."),
        (f"asg:deadline:{aid}", NO_RIGHT),
        (f"asg:cancel:{aid}", NO_RIGHT),
        (f"dlq:{aid}:3", "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."),
        ("asg:accept:999999", "Поручение не найдено."),
    ]:
        answer = await _answer(outsider, press_data(sandbox, outsider, mid, data))
        assert (answer["text"], answer["show_alert"]) == (expected, True), data
    # The executor may not accept their own work either.
    ex = town.executor.chat
    own = (await ex.client.bot_messages(ex.user_id))[-1]["message_id"]
    answer = await _answer(ex, press_data(sandbox, ex, own, f"asg:accept:{aid}"))
    assert answer["text"] == NO_RIGHT and answer["show_alert"]

    refusals = [r.getMessage() for r in caplog.records if r.name == "handlers.assignments"]
    assert any(f"'asg:accept:{aid}'" in line and str(outsider.user_id) in line for line in refusals)
    assert len(refusals) == 11  # the forged quick pick is answered as outdated, without a refusal
    # Nothing was sent to the outsider and nothing changed.
    assert [m["message_id"] for m in await outsider.client.bot_messages(outsider.user_id)] == [mid]
    async with session_factory() as session:
        accepted = await session.scalar(select(func.count()).where(AuditEvent.action == "accept"))
    assert accepted == 0


async def test_double_press_on_accept_applies_once(town, sandbox, session_factory) -> None:
    ctl, ex_chat = town.controller.chat, town.executor.chat.user_id
    aid = await create_assignment(session_factory, town)
    await submit_report(session_factory, town, aid)
    review = await ctl.reply("Поступил отчёт на проверку")
    data = buttons(review)["✅ Принять работу"]

    # Two taps queued before the bot sees either (what a laggy network produces).
    first = press_data(sandbox, ctl, review["message_id"], data)
    second = press_data(sandbox, ctl, review["message_id"], data)
    answers = await asyncio.gather(_answer(ctl, first), _answer(ctl, second))
    assert answers[0]["text"] == "Принято. Исполнитель уведомлён." and not answers[0]["show_alert"]
    # The stale press says what the assignment is now.
    assert answers[1]["text"].startswith(
        "Поручение уже изменилось — вот его текущее состояние.\nСейчас: исполнено"
    )
    assert answers[1]["show_alert"]
    card = await ctl.client.wait_for(ctl.user_id, contains="Статус: исполнено", after_message_id=0)
    assert card["message_id"] == review["message_id"] and not buttons(card)

    async with session_factory() as session:
        accepted = await session.scalar(
            select(func.count()).where(AuditEvent.action == "accept", AuditEvent.entity_id == aid)
        )
    assert accepted == 1
    # The executor hears about it once.
    await town.executor.chat.reply("Отчёт принят")
    async with session_factory() as session:
        queued = (await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == ex_chat))).all()
    assert sum("Отчёт принят" in m.payload.get("text", "") for m in queued) == 1
