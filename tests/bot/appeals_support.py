"""Shared pieces of the residents' appeal bot tests: a topic and a building, the walk through the
conversation, and what a modified client can send (someone else's contact, forged presses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Building, Category, StoredFile
from sandbox.runner import RunningSandbox
from tests.bot.assignments_support import buttons
from tests.bot.conftest import Chat

WRITE = "Написать обращение"
MINE = "Мои обращения"
NEXT = "Далее ›"
DONE = "✅ Готово"
SKIP = "Пропустить"
SEND = "✅ Отправить"
REG_NUMBER = r"\d{4}-\d{6}"

# A building of the register with coordinates (Moscow, near the sandbox's demo location).
BUILDING_LAT, BUILDING_LON = 55.7512, 37.6184


@dataclass
class Catalog:
    category_id: int
    building_id: int


@pytest.fixture(name="catalog")
async def catalog_fixture(session_factory: async_sessionmaker[AsyncSession]) -> Catalog:
    async with session_factory() as session:
        category = Category(
            code="improvement", name_ru="Благоустройство", name_en="Public spaces", answer_days=10
        )
        building = Building(
            street="ул. Ленина",
            street_key="ленина",
            house="5",
            house_key="5",
            house_number=5,
            latitude=BUILDING_LAT,
            longitude=BUILDING_LON,
        )
        session.add_all([category, building])
        await session.commit()
        return Catalog(category.id, building.id)


CONSENT = "Согласие на обработку персональных данных"
AGREE = "✅ Согласен"
DECLINE = "✖ Не согласен"


async def agree_to_consent(chat: Chat) -> dict[str, Any]:
    """The consent step every new appeal starts with (once per version of its text): agree."""
    prompt = await chat.reply(CONSENT)
    await chat.press(prompt, AGREE)
    return prompt


async def open_form(chat: Chat, question: str) -> dict[str, Any]:
    """/start, then «Write an appeal», agreeing to the processing of personal data if asked (once
    per version): the first question (the topic, or the text without topics)."""
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, WRITE)
    first = await chat.reply()
    if CONSENT in (first.get("text") or ""):
        await chat.press(first, AGREE)
    return await chat.reply(question)


ASK_NAME = "Ваши фамилия, имя и отчество"
FULL_NAME = "Иванова Мария Петровна"


async def give_name(chat: Chat, name: str = FULL_NAME) -> dict[str, Any]:
    """The full-name step (59-FZ art. 7) after the files: its prompt, then the name typed."""
    await chat.reply(ASK_NAME)
    return await chat.send(name, expect=f"ФИО: {name}")


async def last_bot_message(chat: Chat, contains: str) -> dict[str, Any]:
    """The newest bot message containing ``contains`` (for buttons on a message already seen)."""
    found = [m for m in await chat.client.bot_messages(chat.user_id) if contains in (m.get("text") or "")]
    assert found, f"no bot message with {contains!r}"
    return found[-1]


def forge_contact(sandbox: RunningSandbox, chat: Chat, owner_id: int, phone: str) -> int:
    """Send a contact card of another Telegram user (the attachment menu allows it). Returns the
    sandbox's message id; the client did not act, so wait with ``after_message_id``."""
    state = sandbox.state
    record = state.find_chat(chat.user_id)
    assert record is not None
    contact = {"phone_number": phone, "first_name": "Сосед", "user_id": owner_id}
    return state.user_message(record, state.users[chat.user_id], {"contact": contact}).message_id


async def wait_after(chat: Chat, message_id: int, contains: str) -> dict[str, Any]:
    return await chat.client.wait_for(chat.user_id, contains=contains, after_message_id=message_id)


async def appeals_of(session_factory: async_sessionmaker[AsyncSession]) -> list[Appeal]:
    async with session_factory() as session:
        return list((await session.scalars(select(Appeal).order_by(Appeal.id))).all())


async def files_of(session_factory: async_sessionmaker[AsyncSession], appeal_id: int) -> list[StoredFile]:
    async with session_factory() as session:
        query = select(StoredFile).where(StoredFile.appeal_id == appeal_id).order_by(StoredFile.id)
        return list((await session.scalars(query)).all())


__all__ = ["buttons"]
