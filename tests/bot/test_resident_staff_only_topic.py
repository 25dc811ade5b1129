"""A staff-only topic is never offered to a resident in the bot, and a forged press naming it is
refused; the resident's appeal then goes through under a topic residents may choose."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Category
from models.enums import CategoryAudience
from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    Catalog,
    appeals_of,
    buttons,
    catalog_fixture,
    open_form,
)
from tests.bot.assignments_support import press_data


async def test_staff_only_topic_is_hidden_and_refused(
    new_chat, sandbox, session_factory: async_sessionmaker[AsyncSession], catalog: Catalog
) -> None:
    async with session_factory() as session:
        internal = Category(
            code="it_support",
            name_ru="ИТ-поддержка сотрудников",
            name_en="IT support",
            answer_days=3,
            audience=CategoryAudience.STAFF.value,
        )
        session.add(internal)
        await session.commit()
        internal_id = internal.id

    chat = await new_chat("Мария")
    question = await open_form(chat, "О чём ваше обращение? Выберите тему.")
    offered = buttons(question)
    assert "Благоустройство" in offered and not any("ИТ-поддержка" in label for label in offered)

    # A modified client presses a button with the staff-only topic's id.
    forged = offered["Благоустройство"].replace(str(catalog.category_id), str(internal_id))
    assert forged != offered["Благоустройство"]
    pressed = press_data(sandbox, chat, question["message_id"], forged)
    answer = await chat.callback_answer(pressed)
    assert answer["text"] == "Эта тема больше недоступна. Выберите другую."
    await chat.reply("О чём ваше обращение? Выберите тему.")
    assert await appeals_of(session_factory) == []
