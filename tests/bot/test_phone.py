"""The «Share phone» conversation: a resident's consent first (152-FZ), then a contact or a typed
number, hints for anything else, /cancel."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, ConsentRecord
from tests.bot.appeals_support import AGREE, CONSENT, DECLINE
from tests.bot.conftest import RESIDENT_MENU, Chat, get_account, keyboard_texts

ASK = "укажите номер телефона"
HINT = "Жду ваш номер телефона"


async def _open_conversation(chat: Chat) -> dict:
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, "Указать телефон")
    await chat.press(await chat.reply(CONSENT), AGREE)
    ask = await chat.reply(ASK)
    assert keyboard_texts(ask) == ["Отправить мой номер", "Отмена"]
    assert ask["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    return ask


async def test_typed_number_is_normalised_and_stored(new_chat, session_factory) -> None:
    chat = await new_chat()
    await _open_conversation(chat)

    reply = await chat.send("8 (900) 1234567")
    assert reply["text"] == "Спасибо! Номер телефона +79001234567 сохранён."
    assert "Указать телефон" in keyboard_texts(reply)  # back to the main menu
    assert (await get_account(session_factory, chat.user_id)).phone == "+79001234567"
    async with session_factory() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "phone_set"))
    assert event is not None and event.entity_id == chat.user_id
    assert event.data == {"source": "text", "replaced": False}

    # The conversation is over: a number now is just free text (offered as an appeal).
    reply = await chat.send("+7 900 765-43-21")
    assert reply["text"].startswith("Отправить это в администрацию как обращение?")
    assert (await get_account(session_factory, chat.user_id)).phone == "+79001234567"


async def test_contact_button_shares_own_number(new_chat, session_factory) -> None:
    chat = await new_chat()
    ask = await _open_conversation(chat)

    await chat.press(ask, "Отправить мой номер")  # the sandbox sends the user's own contact
    reply = await chat.reply("сохранён")
    phone = (await get_account(session_factory, chat.user_id)).phone
    assert phone is not None and phone.startswith("+7900") and len(phone) == 12
    assert phone in reply["text"]


async def test_sent_contact_is_normalised(new_chat, session_factory) -> None:
    chat = await new_chat()
    await _open_conversation(chat)
    await chat.client.send_contact(chat.user_id, "79161234567", "Иван")
    await chat.reply("+79161234567 сохранён")
    assert (await get_account(session_factory, chat.user_id)).phone == "+79161234567"


async def test_other_content_gets_a_hint_and_the_state_stays(new_chat, session_factory) -> None:
    chat = await new_chat()
    await _open_conversation(chat)

    await chat.client.send_sticker(chat.user_id)
    assert (await chat.reply()).get("text", "").startswith(HINT)
    await chat.client.send_voice(chat.user_id)
    assert (await chat.reply()).get("text", "").startswith(HINT)
    await chat.client.send_photo(chat.user_id, b"\x89PNG\r\n\x1a\n" + bytes(32), "photo.png")
    assert (await chat.reply()).get("text", "").startswith(HINT)

    reply = await chat.send("позвоните мне")
    assert reply["text"].startswith("Это не похоже на российский номер телефона.")
    reply = await chat.send("+1 202 555 0100")  # typed numbers must be Russian
    assert reply["text"].startswith("Это не похоже на российский номер телефона.")
    assert (await get_account(session_factory, chat.user_id)).phone is None

    # Still waiting after all that.
    await chat.send("+7 900 123-45-67", expect="+79001234567 сохранён")


async def test_cancel_leaves_the_conversation(new_chat, session_factory) -> None:
    chat = await new_chat()
    await _open_conversation(chat)

    reply = await chat.send("/cancel")
    assert reply["text"] == "Действие отменено."
    assert keyboard_texts(reply) == RESIDENT_MENU

    # The state is really gone: a phone-like text is no longer taken as the answer.
    reply = await chat.send("+7 900 123-45-67")
    assert reply["text"].startswith("Отправить это в администрацию как обращение?")
    assert (await get_account(session_factory, chat.user_id)).phone is None

    reply = await chat.send("/cancel")
    assert reply["text"] == "Сейчас нечего отменять."


async def test_cancel_button_leaves_the_conversation(new_chat) -> None:
    chat = await new_chat()
    ask = await _open_conversation(chat)
    await chat.press(ask, "Отмена")
    assert (await chat.reply())["text"] == "Действие отменено."


async def test_a_resident_who_declines_consent_is_not_asked_and_nothing_is_kept(
    new_chat, session_factory
) -> None:
    chat = await new_chat()
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, "Указать телефон")
    prompt = await chat.reply(CONSENT)
    assert "версия 1" in prompt["text"] and keyboard_texts(prompt) == [AGREE, DECLINE]
    hint = await chat.send("+7 900 123-45-67")  # typed before deciding: not taken
    assert "Согласен" in hint["text"]
    await chat.press(prompt, DECLINE)
    await chat.reply("Без вашего согласия номер телефона не сохраняется")
    assert (await get_account(session_factory, chat.user_id)).phone is None
    async with session_factory() as session:
        decisions = (await session.scalars(select(ConsentRecord.decision))).all()
    assert decisions == ["refused"]

    # Agreeing once is enough: the next time the number is asked for straight away.
    await chat.press(await chat.send("/start", expect="Здравствуйте"), "Указать телефон")
    await chat.press(await chat.reply(CONSENT), AGREE)
    await chat.reply(ASK)
    await chat.send("/cancel")
    await chat.press(await chat.send("/start", expect="Здравствуйте"), "Указать телефон")
    await chat.reply(ASK)
    async with session_factory() as session:
        records = (await session.scalars(select(ConsentRecord).order_by(ConsentRecord.id))).all()
    assert [(r.decision, r.channel, r.consent_version, r.telegram_id) for r in records] == [
        ("refused", "telegram", 1, chat.user_id),
        ("given", "telegram", 1, chat.user_id),
    ]
