"""The consent to the processing of personal data in «Write an appeal» (152-FZ): declining stores
nothing the person typed, agreeing is logged with the version and the channel and is asked once per
version; a new version of the text is asked again."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, ConsentRecord, Correspondent, User
from services.privacy import consent
from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    AGREE,
    CONSENT,
    DECLINE,
    NEXT,
    REG_NUMBER,
    SEND,
    SKIP,
    WRITE,
    catalog_fixture,
    give_name,
)
from tests.bot.conftest import Chat, keyboard_texts, make_staff

TEXT = "Когда починят дорогу у дома 5 по ул. Ленина? Там яма уже месяц."
OFFER = "✍️ Оформить как обращение"


async def count(session_factory: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_factory() as s:
        return await s.scalar(select(func.count()).select_from(model)) or 0


async def fsm_data(dispatcher: Dispatcher, bot: Bot, chat: Chat) -> tuple[str | None, dict]:
    key = StorageKey(bot_id=bot.id, chat_id=chat.user_id, user_id=chat.user_id)
    return await dispatcher.storage.get_state(key), await dispatcher.storage.get_data(key)


async def records(session_factory: async_sessionmaker[AsyncSession], telegram_id: int) -> list[ConsentRecord]:
    async with session_factory() as s:
        query = (
            select(ConsentRecord).where(ConsentRecord.telegram_id == telegram_id).order_by(ConsentRecord.id)
        )
        return list((await s.scalars(query)).all())


async def write_appeal(chat: Chat) -> None:
    """From the topic question to the registration number, with a typed text and no contacts."""
    topics = await chat.reply("Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.reply("Опишите проблему")
    progress = await chat.send("Не горит фонарь у подъезда.", expect="Символов в тексте")
    await chat.press(progress, NEXT)
    await chat.press(await chat.reply("Где это?"), SKIP)
    await chat.press(await chat.reply("Приложите фото или документы"), SKIP)
    await give_name(chat)
    await chat.press(await chat.reply("Как с вами связаться?"), SKIP)
    await chat.press(await chat.reply("проверьте перед отправкой"), SEND)
    await chat.reply("Ваше обращение зарегистрировано")


async def test_declining_stores_nothing_of_what_was_typed(
    new_chat, catalog, session_factory, dispatcher, bot
) -> None:
    chat = await new_chat("Мария")
    await chat.send("/start", expect="Здравствуйте")
    offer = await chat.send(TEXT)  # a free text offered as an appeal: it waits in the conversation
    await chat.press(offer, OFFER)
    prompt = await chat.reply(CONSENT)
    assert "версия 1" in prompt["text"] and "59-ФЗ" in prompt["text"]
    assert keyboard_texts(prompt) == [AGREE, DECLINE]
    # Typed before deciding: answered with a hint, never kept.
    hint = await chat.send("Иванова Мария, +7 900 123-45-67")
    assert "Согласен" in hint["text"]
    await chat.press(prompt, DECLINE)
    reply = await chat.reply("Без вашего согласия")
    assert "ничего не отправлено и не сохранено" in reply["text"]

    assert await count(session_factory, Appeal) == 0
    assert await count(session_factory, Correspondent) == 0
    state, data = await fsm_data(dispatcher, bot, chat)
    assert state is None and data == {}
    [refusal] = await records(session_factory, chat.user_id)
    assert (refusal.decision, refusal.channel, refusal.consent_version) == ("refused", "telegram", 1)


async def test_consent_is_logged_once_per_version_and_asked_again_for_a_new_one(
    new_chat, catalog, session_factory
) -> None:
    chat = await new_chat("Пётр")
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, WRITE)
    await chat.press(await chat.reply(CONSENT), AGREE)
    await chat.reply("дано (версия 1)")
    await write_appeal(chat)
    [given] = await records(session_factory, chat.user_id)
    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal))
        assert appeal is not None
    assert (given.decision, given.channel, given.consent_version) == ("given", "telegram", 1)
    assert given.appeal_id == appeal.id and given.correspondent_id == appeal.correspondent_id

    # The same version agreed: the next appeal starts with the topic, no consent again.
    await chat.press(await chat.reply("Ваше обращение зарегистрировано"), WRITE)
    first = await chat.reply()
    assert CONSENT not in first["text"]
    await chat.send("/cancel")

    # An administrator publishes version 2: the bot asks again, and logs version 2.
    admin_id = await make_staff(session_factory, roles=("admin",), department=None)
    async with session_factory() as s:
        admin = await s.get(User, admin_id)
        assert admin is not None
        await consent.publish(s, admin, "Новый текст согласия, версия два.")
        await s.commit()
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, WRITE)
    again = await chat.reply(CONSENT)
    assert "версия 2" in again["text"] and "Новый текст согласия" in again["text"]
    await chat.press(again, AGREE)
    await chat.reply("Выберите тему")
    assert [(r.decision, r.consent_version) for r in await records(session_factory, chat.user_id)] == [
        ("given", 1),
        ("given", 2),
    ]
