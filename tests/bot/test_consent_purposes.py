"""152-FZ art. 9: the consent a person reads is the one for what they are doing. Registering for an
event asks for the events / forms consent (no 59-FZ, no appeal), naming the organisation from its card
as the operator and Telegram as the channel; «Write an appeal» still asks for the appeals consent, and
agreeing to one purpose is not agreeing to the other."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ConsentRecord
from services import staff
from services.audit import Actor
from services.config import org_card
from tests.bot.appeals_support import AGREE, CONSENT, WRITE, catalog_fixture  # noqa: F401 - fixtures
from tests.bot.assignments_support import buttons, outbox_fixture  # noqa: F401 - fixtures
from tests.bot.conftest import Chat
from tests.services.events_support import make_event, make_manager, ru

TITLE = "Университет детей: лекция о динозаврах"
MUSEUM = "МБУК «Краеведческий музей»"


async def name_the_museum(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        admin = await staff.create_user(session, Actor.system(), full_name="Админ", roles=("admin",))
        await org_card.save_card(
            session, Actor(user_id=admin.id), org_card.Letterhead(name=MUSEUM, short_name="Музей")
        )
        await session.commit()


async def event_consent(chat: Chat) -> dict:
    await chat.send("/start", expect="Здравствуйте")
    listing = await chat.send(ru("🎟 Events"))
    await chat.press(listing, next(text for text in buttons(listing) if TITLE in text))
    card = await chat.reply(TITLE)
    await chat.press(card, ru("✅ Register"))
    return await chat.reply("Согласие на обработку персональных данных")


async def records(factory: async_sessionmaker[AsyncSession], address: int) -> list[ConsentRecord]:
    async with factory() as s:
        query = select(ConsentRecord).where(ConsentRecord.telegram_id == address).order_by(ConsentRecord.id)
        return list((await s.scalars(query)).all())


async def test_event_registration_asks_for_the_events_consent_not_the_appeals_one(
    new_chat, session_factory, outbox, catalog
) -> None:
    await name_the_museum(session_factory)
    await make_event(session_factory, await make_manager(session_factory), title=TITLE, capacity=None)
    chat = await new_chat("Анна")
    prompt = await event_consent(chat)
    text = prompt["text"]
    assert "59-ФЗ" not in text and "обращени" not in text.lower()
    assert "запись на мероприятия" in text and "152-ФЗ" in text
    assert f"Оператор персональных данных: {MUSEUM}." in text and "администрации" not in text
    assert "мессенджер Telegram" in text and "MAX" not in text
    await chat.press(prompt, ru("✅ I agree"))
    await chat.reply(ru("✅ You are registered."))
    [given] = await records(session_factory, chat.user_id)
    assert (given.purpose, given.consent_version, given.channel, given.decision) == (
        "activities",
        1,
        "telegram",
        "given",
    )

    # The appeal still asks for its own consent: the events one does not stand for it.
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, WRITE)
    appeal = await chat.reply(CONSENT)
    assert "59-ФЗ" in appeal["text"] and "обращения" in appeal["text"]
    assert f"Оператор персональных данных: {MUSEUM}." in appeal["text"]
    await chat.press(appeal, AGREE)
    await chat.reply("дано (версия 1)")
    assert [(r.purpose, r.consent_version) for r in await records(session_factory, chat.user_id)] == [
        ("activities", 1),
        ("appeals", 1),
    ]
