"""In MAX the events consent names MAX, not Telegram, and the decision is logged with channel «max»
(the QA report: a children's lecture asked for «идентификатора Telegram» and 59-FZ in MAX)."""

from __future__ import annotations

from sqlalchemy import select

from models import ConsentRecord
from tests.bot.max_support import MaxChat, max_keyboard_texts
from tests.services.events_support import make_event, make_manager, ru

TITLE = "Университет детей: лекция о динозаврах"


async def open_consent(chat: MaxChat) -> dict:  # type: ignore[type-arg]
    await chat.send("/start", expect="Здравствуйте")
    listing = await chat.send(ru("🎟 Events"))
    await chat.press(listing, next(t for t in max_keyboard_texts(listing) if TITLE in t))
    card = await chat.reply(TITLE)
    await chat.press(card, ru("✅ Register"))
    return await chat.reply("Согласие на обработку персональных данных")


async def test_event_consent_in_max_names_max(new_max_chat, session_factory) -> None:
    await make_event(session_factory, await make_manager(session_factory), title=TITLE, capacity=None)
    chat = await new_max_chat("Ольга")
    prompt = await open_consent(chat)
    text = prompt["body"]["text"]
    assert "учётной записи в MAX" in text and "мессенджер MAX" in text
    assert "Telegram" not in text and "59-ФЗ" not in text and "обращени" not in text.lower()
    assert "via=max" in text or "/consent" not in text  # the full text as seen from MAX
    await chat.press(prompt, ru("✅ I agree"))
    await chat.reply(ru("✅ You are registered."))
    async with session_factory() as s:
        [row] = (await s.scalars(select(ConsentRecord))).all()
    assert (row.purpose, row.channel, row.telegram_id) == ("activities", "max", chat.user_id)
