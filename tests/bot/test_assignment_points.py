"""A multi-point assignment in Telegram: created by the controller, a point returned, then all done."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models import Assignment, User, utcnow
from services.assignments import points
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    buttons,
    outbox_fixture,
    town_fixture,
)
from tests.bot.conftest import Chat, keyboard_texts


async def _pick(chat: Chat, prompt: dict, person: str, when: str) -> None:
    """The executor picker and the calendar of the creation conversation."""
    await chat.press(prompt, "🏢 Отдел ЖКХ")
    people = await chat.reply("Отдел ЖКХ: выберите исполнителя")
    await chat.press(people, f"👤 {person}")
    calendar = await chat.reply("Выберите срок")
    # The quick picks carry their dates («Через рабочую неделю (Пт 11.12)»): picked by their start.
    await chat.press(calendar, next(b for b in keyboard_texts(calendar) if b.startswith(when)))


async def _report(chat: Chat, card: dict, text: str) -> None:
    await chat.press(card, "📎 Отчитаться")
    await chat.reply("Опишите в сообщении, что сделано")
    preview = await chat.send(text, expect="Текст сохранён.")
    await chat.press(preview, "📤 Отправить")
    await chat.reply("Я сообщу решение контролёра")


async def _parent_card(ctl: Chat, title: str) -> dict:
    menu = await ctl.send("/start", expect="Здравствуйте")
    await ctl.press(menu, "На контроле")
    listing = await ctl.reply("На контроле")
    label = next(b for b in buttons(listing) if title in b)
    await ctl.press(listing, label)
    return await ctl.reply("Карточка поручения")


async def test_two_points_return_then_done(town, session_factory) -> None:
    ctl, first, second = town.controller.chat, town.executor.chat, town.colleague.chat
    menu = await ctl.send("/start", expect="Здравствуйте")
    await ctl.press(menu, "Новое поручение")
    await ctl.reply("Первая строка станет заголовком")
    picker = await ctl.send("Подготовка к зиме\nРезолюция главы", expect="Кому поручить")
    await _pick(ctl, picker, "Попов Игорь Петрович", "Через рабочую неделю")
    await ctl.press(await ctl.reply("приложите фотографии"), "Пропустить")
    await ctl.press(await ctl.reply("Приоритет?"), "Обычный")
    card = await ctl.reply("проверьте перед созданием")
    assert "➕ Ещё пункт" in keyboard_texts(card)
    await ctl.press(card, "➕ Ещё пункт")
    await ctl.reply("Пункт 2")
    picker = await ctl.send("Проверить котельные", expect="Кому поручить")
    await _pick(ctl, picker, "Сидоров Пётр Ильич", "Через 3 рабочих дня")
    card = await ctl.reply("проверьте перед созданием")
    assert "1. Подготовка к зиме — Попов Игорь Петрович" in card["text"]
    assert "2. Проверить котельные — Сидоров Пётр Ильич" in card["text"]
    await ctl.press(card, "✅ Создать")
    created = await ctl.reply("создано")
    assert "из 2 пунктов" in created["text"]

    async with session_factory() as session:
        rows = (await session.scalars(select(Assignment).order_by(Assignment.id))).all()
    parent, p1, p2 = rows
    assert (p1.parent_id, p1.point_no, p2.point_no) == (parent.id, 1, 2)
    assert parent.executor_id is None and parent.deadline == p1.deadline

    # Each executor gets their own point.
    card1 = await first.reply(f"Поручение №{p1.id}")
    assert f"Пункт 1 поручения №{parent.id}" in card1["text"]
    card2 = await second.reply(f"Поручение №{p2.id}")
    assert f"Пункт 2 поручения №{parent.id}" in card2["text"]

    # The first point: acknowledged, reported, returned by the controller.
    await first.press(card1, "✅ Принять")
    card1 = await first.reply("Вы приняли поручение к исполнению")
    await _report(first, card1, "Соль закуплена")
    review = await ctl.reply("Поступил отчёт на проверку")
    await ctl.press(review, "↩️ Вернуть на доработку")
    await ctl.reply("Что нужно доработать")
    await ctl.send("Мало соли", expect="Исполнитель получил ваш комментарий")
    back = await first.reply("Поручение возвращено на доработку")

    view = await _parent_card(ctl, "Подготовка к зиме")
    assert "Статус: в работе" in view["text"]
    assert "Пункты: 0/2 выполнено" in view["text"]
    returned = next(line for line in view["text"].splitlines() if "1. Подготовка к зиме" in line)
    assert returned.startswith("↩️") and "Попов Игорь Петрович" in returned
    assert "➕ Добавить пункт" in buttons(view)

    # Both points accepted: the parent is done by itself and the controller is told.
    await _report(first, back, "Докуплено")
    review = await ctl.reply("Отчёт: Докуплено")
    await ctl.press(review, "✅ Принять работу")
    await ctl.reply("Статус: исполнено")
    await second.press(card2, "✅ Принять")
    card2 = await second.reply("Вы приняли поручение к исполнению")
    await _report(second, card2, "Котельные готовы")
    review = await ctl.reply("Отчёт: Котельные готовы")
    await ctl.press(review, "✅ Принять работу")
    told = await ctl.reply("Все пункты выполнены: поручение выполнено")
    assert f"Поручение №{parent.id}" in told["text"] and "Пункты: 2/2 выполнено" in told["text"]

    async with session_factory() as session:
        done = await session.get(Assignment, parent.id)
        assert done is not None and done.status == "done"
    await ctl.press(told, f"Открыть №{parent.id}")
    view = await ctl.reply("Карточка поручения")
    assert "Статус: исполнено" in view["text"] and "➕ Добавить пункт" not in buttons(view)


async def test_controller_adds_a_point_from_the_card(town, session_factory) -> None:
    ctl, colleague = town.controller.chat, town.colleague.chat
    async with session_factory() as session:
        boss = await session.get(User, town.controller.id)
        assert boss is not None
        parent = await points.create(
            session,
            boss,
            points.NewParent(
                title="Ремонт школы",
                points=[points.NewPoint("Смета", utcnow() + timedelta(days=5), executor_id=town.executor.id)],
            ),
            notify=town.ctx,
        )
        await session.commit()
        parent_id = parent.id

    view = await _parent_card(ctl, "Ремонт школы")
    assert "Пункты: 0/1 выполнено" in view["text"]
    await ctl.press(view, "➕ Добавить пункт")
    await ctl.reply("Пункт 2")
    picker = await ctl.send("Закупить краску\nБелую", expect="Кому поручить")
    await _pick(ctl, picker, "Сидоров Пётр Ильич", "Через 3 рабочих дня")
    confirm = await ctl.reply(f"Новый пункт поручения №{parent_id}")
    assert "Закупить краску — Сидоров Пётр Ильич" in confirm["text"]
    await ctl.press(confirm, "✅ Добавить")
    await ctl.reply(f"Пункт 2 добавлен в поручение №{parent_id}")
    card = await colleague.reply("Новое поручение")
    assert f"Пункт 2 поручения №{parent_id}" in card["text"] and "Закупить краску" in card["text"]

    # A point may not outlive the assignment: «in a week» is past its deadline.
    view = await _parent_card(ctl, "Ремонт школы")
    assert "2. Закупить краску" in view["text"]
    await ctl.press(view, "➕ Добавить пункт")
    picker = await ctl.send("Покрасить стены", expect="Кому поручить")
    await _pick(ctl, picker, "Сидоров Пётр Ильич", "Через рабочую неделю")
    await ctl.press(await ctl.reply("Новый пункт поручения"), "✅ Добавить")
    await ctl.reply("Срок пункта не может быть позже срока поручения")
    async with session_factory() as session:
        count = await session.scalar(select(func.count()).where(Assignment.parent_id == parent_id))
    assert count == 2
