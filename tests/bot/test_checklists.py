"""Checklists in the bot: the controller writes one from the card, the executor ticks it in place,
and a report waits until every item is ticked when the controller asked for that."""

from __future__ import annotations

import logging

from sqlalchemy import select

from models import AuditEvent, ChecklistItem
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    buttons,
    create_assignment,
    outbox_fixture,
    press_data,
    town_fixture,
)

REFUSED = "Сначала отметьте все пункты чек-листа: осталось 1."


async def test_checklist_written_ticked_and_required_before_the_report(
    town, sandbox, session_factory, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.checklists")
    ex, ctl = town.executor.chat, town.controller.chat
    aid = await create_assignment(session_factory, town)
    card = await ex.reply(f"Поручение №{aid}")
    assert not any(label.startswith("☑️") for label in buttons(card))  # no checklist yet

    # The controller opens the card from «На контроле» and writes the checklist in one message.
    menu = await ctl.send("/menu", expect="Выберите действие")
    await ctl.press(menu, "На контроле")
    page = await ctl.reply("На контроле")
    await ctl.press(page, next(label for label in buttons(page) if label.startswith(f"№{aid} ")))
    ctl_card = await ctl.reply(f"Поручение №{aid}")
    await ctl.press(ctl_card, "☑️ Добавить чек-лист")
    await ctl.reply("каждый пункт с новой строки")
    written = await ctl.send("Осмотреть двор\n- Убрать снег с дорожек\n\nПосыпать песком", expect="Добавлено")
    assert "Добавлено пунктов: 3." in written["text"]
    assert "☐ Осмотреть двор\n☐ Убрать снег с дорожек\n☐ Посыпать песком" in written["text"]
    assert "Отмечено: 0 из 3" in written["text"]
    # The controller does not tick: no item buttons, only adding and the rule.
    assert list(buttons(written)) == ["➕ Добавить пункты", "🔒 Отчёт только после всех пунктов"]
    await ctl.press(written, "🔒 Отчёт только после всех пунктов")
    ruled = await ctl.reply("Отчёт принимается только после того, как отмечены все пункты")
    assert ruled["message_id"] == written["message_id"]
    assert "🔓 Разрешить отчёт без всех пунктов" in buttons(ruled)

    # The executor accepts; the redrawn card shows the checklist button.
    await ex.press(card, "✅ Принять")
    card = await ex.reply("Вы приняли поручение")
    assert "☑️ Чек-лист 0/3" in buttons(card)
    await ex.press(card, "☑️ Чек-лист 0/3")
    checklist = await ex.reply("Чек-лист поручения")
    assert list(buttons(checklist)) == ["☐ Осмотреть двор", "☐ Убрать снег с дорожек", "☐ Посыпать песком"]
    await ex.press(checklist, "☐ Осмотреть двор")
    checklist = await ex.reply("Отмечено: 1 из 3")
    await ex.press(checklist, "☐ Убрать снег с дорожек")
    checklist = await ex.reply("Отмечено: 2 из 3")
    assert "☑ Осмотреть двор\n☑ Убрать снег с дорожек\n☐ Посыпать песком" in checklist["text"]

    # Someone else's press on an item is refused, whatever the button says.
    async with session_factory() as session:
        last = await session.scalar(
            select(ChecklistItem).where(ChecklistItem.assignment_id == aid, ChecklistItem.done_at.is_(None))
        )
    assert last is not None
    outsider = town.outsider.chat
    anchor = await outsider.send("/start", expect="Здравствуйте")
    answer = await outsider.callback_answer(
        press_data(sandbox, outsider, anchor["message_id"], f"chk:tick:{last.id}")
    )
    assert (answer["text"], answer["show_alert"]) == ("Чек-лист не найден.", True)
    answer = await ctl.callback_answer(press_data(sandbox, ctl, written["message_id"], f"chk:tick:{last.id}"))
    assert answer["text"] == "У вас нет прав отмечать пункты этого чек-листа."

    # The report is refused before any photo is asked for.
    query = await ex.press(card, "📎 Отчитаться")
    answer = await ex.callback_answer(query)
    assert answer["show_alert"] and answer["text"].startswith(REFUSED)

    await ex.press(checklist, "☐ Посыпать песком")
    checklist = await ex.reply("Отмечено: 3 из 3")
    await ex.press(card, "📎 Отчитаться")
    await ex.reply("Опишите в сообщении, что сделано")
    preview = await ex.send("Двор убран, дорожки посыпаны", expect="Текст сохранён")
    await ex.press(preview, "📤 Отправить")
    await ex.reply("отправлен на проверку")
    review = await ctl.reply("Поступил отчёт на проверку")
    assert "☑️ Чек-лист 3/3" in buttons(review)

    async with session_factory() as session:
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == aid)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert actions.count("checklist_ticked") == 3
    assert "checklist_added" in actions and "checklist_required" in actions and actions[-1] == "submit"
    assert any(f"'chk:tick:{last.id}'" in r.getMessage() for r in caplog.records)
