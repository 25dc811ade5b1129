"""«Мои поручения» and «На контроле»: filters, keyset pages, cards opened from the list."""

from __future__ import annotations

from datetime import timedelta

from models import utcnow
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    buttons,
    create_assignment,
    outbox_fixture,
    submit_report,
    town_fixture,
)
from tests.bot.conftest import keyboard_texts


async def test_my_assignments_pages_filters_and_cards(town, session_factory) -> None:
    ex, ctl = town.executor.chat, town.controller.chat
    now = utcnow()
    ids = [
        await create_assignment(
            session_factory, town, f"Задача {n}", deadline=now + timedelta(days=2, hours=n)
        )
        for n in range(1, 7)
    ]
    late = await create_assignment(
        session_factory,
        town,
        "Просроченная задача",
        deadline=now - timedelta(hours=3),
        now=now - timedelta(days=3),
    )
    await create_assignment(session_factory, town, "Чужая задача", executor_id=town.colleague.id)

    for aid in [*ids, late]:  # let the outbox deliver the cards first
        await ex.client.wait_for(ex.user_id, contains=f"Поручение №{aid}:", after_message_id=0)
    menu = await ex.send("/menu", expect="Выберите действие")
    assert "Мои поручения" in keyboard_texts(menu) and "На контроле" not in keyboard_texts(menu)
    await ex.press(menu, "Мои поручения")
    page = await ex.reply("Мои поручения — 📋 Все открытые")
    labels = list(buttons(page))
    assert labels[:5] == [f"№{late} · Просроченная задача"] + [
        f"№{i} · Задача {n}" for n, i in enumerate(ids[:4], 1)
    ]
    assert "⚠️" in page["text"].split("\n")[2]  # the overdue one is marked
    assert "Дальше ›" in labels and "« В начало" not in labels
    assert "• 📋 Все открытые" in labels and "⏰ Просроченные" in labels
    assert "Чужая задача" not in page["text"]

    await ex.press(page, "Дальше ›")
    page2 = await ex.reply("Мои поручения — 📋 Все открытые")
    assert page2["message_id"] == page["message_id"]  # edited in place
    assert [label for label in buttons(page2) if label.startswith("№")] == [
        f"№{ids[4]} · Задача 5",
        f"№{ids[5]} · Задача 6",
    ]
    assert "Дальше ›" not in buttons(page2) and "« В начало" in buttons(page2)

    await ex.press(page2, "⏰ Просроченные")
    overdue = await ex.reply("Мои поручения — ⏰ Просроченные")
    assert [label for label in buttons(overdue) if label.startswith("№")] == [
        f"№{late} · Просроченная задача"
    ]
    await ex.press(overdue, "↩️ На доработке")
    assert "Здесь пока ничего нет." in (await ex.reply("↩️ На доработке"))["text"]

    # One message all along, edited in place.
    await ex.press(overdue, "📋 Все открытые")
    listing = await ex.reply("Мои поручения — 📋 Все открытые")
    assert listing["message_id"] == page["message_id"]
    await ex.press(listing, f"№{ids[0]} · Задача 1")
    card = await ex.reply("Карточка поручения")
    assert f"Поручение №{ids[0]}: Задача 1" in card["text"]
    assert list(buttons(card)) == ["✅ Принять", "↩️ Отклонить", "⏳ Продлить срок", "💬 Комментарий"]
    await ex.press(card, "✅ Принять")
    assert "Статус: принято к исполнению" in (await ex.reply("Вы приняли поручение"))["text"]

    # The controller's list has «На проверке».
    await submit_report(session_factory, town, ids[1])
    await ctl.reply("Поступил отчёт на проверку")
    menu = await ctl.send("/menu", expect="Выберите действие")
    await ctl.press(menu, "На контроле")
    control = await ctl.reply("На контроле — 📋 Все открытые")
    await ctl.press(control, "📝 На проверке")
    review = (
        await ctl.reply("На контроле — • 📝 На проверке") if False else await ctl.reply("📝 На проверке\n")
    )
    assert [label for label in buttons(review) if label.startswith("№")] == [f"№{ids[1]} · Задача 2"]
    await ctl.press(review, f"№{ids[1]} · Задача 2")
    card = await ctl.reply("Карточка поручения")
    assert list(buttons(card))[:2] == ["✅ Принять работу", "↩️ Вернуть на доработку"]
