"""«Новое поручение» → «📋 Из шаблона»: a template fills the card and its checklist goes with it."""

from __future__ import annotations

from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ChecklistItem, utcnow
from porucheno.settings import Settings
from services.audit import Actor
from services.templates import assignments as templates
from services.work_calendar.clock import WorkCalendar
from tests.bot.conftest import keyboard_texts
from tests.bot.test_assignment_create import make_org, only_assignment, open_form


async def test_create_from_template(
    new_chat, session_factory: async_sessionmaker[AsyncSession], bot: Bot, bot_settings: Settings
) -> None:
    org = await make_org(session_factory, new_chat)
    async with session_factory() as session:
        await templates.save(
            session,
            Actor(user_id=org.controller_id),
            None,
            templates.TemplateInput(
                name="Отчёт по отоплению",
                title="Подготовить отчёт по отоплению",
                text="Сводка по котельным",
                checklist=("Собрать показания", "Подписать у главы"),
                checklist_required=True,
                executor_id=org.executor_id,
                term_days=3,
            ),
        )
        await session.commit()
    chat = org.controller
    await open_form(chat)
    offer = await chat.reply("готового шаблона")
    assert keyboard_texts(offer) == ["📋 Из шаблона"]
    await chat.press(offer, "📋 Из шаблона")
    listing = await chat.reply("Выберите шаблон")
    assert keyboard_texts(listing) == ["Отчёт по отоплению"]
    await chat.press(listing, "Отчёт по отоплению")
    card = await chat.reply("проверьте перед созданием")
    calendar = WorkCalendar(tz=bot_settings.tz)
    due_day = calendar.add_working_days(utcnow().astimezone(bot_settings.tz).date(), 3)
    due = calendar.end_of_working_day(due_day)
    for line in (
        "Подготовить отчёт по отоплению",
        "Сводка по котельным",
        "Исполнитель: Петрова Анна Сергеевна",
        f"Срок: {due.astimezone(bot_settings.tz):%d.%m.%Y %H:%M}",
        "Чек-лист: Собрать показания; Подписать у главы",
    ):
        assert line in card["text"], line
    await chat.press(card, "✅ Создать")
    await chat.reply("создано")
    assignment = await only_assignment(session_factory)
    assert assignment.title == "Подготовить отчёт по отоплению" and assignment.deadline == due
    assert assignment.executor_id == org.executor_id and assignment.checklist_required
    async with session_factory() as session:
        items = (
            await session.scalars(
                select(ChecklistItem.text)
                .where(ChecklistItem.assignment_id == assignment.id)
                .order_by(ChecklistItem.position)
            )
        ).all()
    assert list(items) == ["Собрать показания", "Подписать у главы"]
    assert assignment.template_id is not None


async def test_no_templates_no_offer(new_chat, session_factory: async_sessionmaker[AsyncSession]) -> None:
    org = await make_org(session_factory, new_chat)
    await open_form(org.controller)
    picker = await org.controller.send("Проверить подвал", expect="Кому поручить")
    transcript = await org.controller.client.transcript(org.controller.user_id)
    assert not any("шаблон" in (m.get("text") or "") for m in transcript)
    assert "🏢 Отдел ЖКХ" in keyboard_texts(picker)
