"""Identity only from proof: a Telegram account that types someone else's phone or e-mail gets a
record of its own and sees none of that person's appeals; a contact shared with Telegram's own
button links the sender's record, a forged contact card links nothing; a clerk settles the match."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Correspondent, CorrespondentSuggestion, TelegramAccount
from porucheno.settings import Settings
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from tests.bot.appeals_support import (
    DONE,
    MINE,
    NEXT,
    REG_NUMBER,
    SEND,
    SKIP,
    agree_to_consent,
    forge_contact,
    give_name,
    open_form,
    wait_after,
)
from tests.bot.conftest import Chat

VICTIM_PHONE = "+79161234567"
VICTIM_EMAIL = "maria.ivanova@mail.ru"
SECRET = "Соседи сверху затопили квартиру"
ANSWER = "Управляющая компания возместит ущерб."
EMPTY = "У вас пока нет обращений."


async def write_appeal(
    chat: Chat, text: str, *, shared: str | None = None, typed: tuple[str, ...] = ()
) -> str:
    """The whole conversation without topics; contacts shared with the button or typed; the number."""
    await open_form(chat, "Опишите проблему")
    await chat.press(await chat.send(text, expect="Символов в тексте"), NEXT)
    await chat.press(await chat.reply("Где это?"), SKIP)
    await chat.press(await chat.reply("Приложите фото или документы"), SKIP)
    await give_name(chat)
    last = await chat.reply("Как с вами связаться?")
    if shared is not None:
        await chat.client.send_contact(chat.user_id, shared, "Я")
        last = await chat.reply("номер телефона добавлен")
    for value in typed:
        last = await chat.send(value, expect="добавлен")
    await chat.press(last, DONE if (shared or typed) else SKIP)
    await chat.press(await chat.reply("проверьте перед отправкой"), SEND)
    done = await chat.reply("Ваше обращение зарегистрировано")
    number = re.search(REG_NUMBER, done["text"])
    assert number is not None
    return number.group(0)


async def mine(chat: Chat) -> str:
    return (await chat.send(MINE, expect="обращени"))["text"]


async def test_typed_phone_or_email_of_someone_else_shows_nothing_of_theirs(
    new_chat, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    victim = await new_chat("Мария")
    own = await write_appeal(victim, SECRET, shared=VICTIM_PHONE, typed=(VICTIM_EMAIL,))
    async with session_factory() as session:
        appeal = await session.scalar(select(Appeal).where(Appeal.reg_number == own))
        assert appeal is not None
        appeal.status, appeal.answer_text = "answered", ANSWER
        await session.commit()

    by_phone = await new_chat("Чужой 1")
    typed_phone = await write_appeal(by_phone, "Прошу показать мои обращения", typed=("8 916 123-45-67",))
    by_email = await new_chat("Чужой 2")
    typed_email = await write_appeal(by_email, "Прошу показать мои обращения", typed=(VICTIM_EMAIL.upper(),))

    for attacker, number in ((by_phone, typed_phone), (by_email, typed_email)):
        listing = await mine(attacker)
        assert number in listing and own not in listing and SECRET[:20] not in listing
        assert ANSWER not in str(await attacker.client.bot_messages(attacker.user_id))
    # The real owner still sees their appeal (and only theirs) with the answer.
    listing = await victim.send(MINE, expect=own)
    assert typed_phone not in listing["text"] and typed_email not in listing["text"]
    await victim.press(listing, f"✅ №{own}")
    await victim.reply(ANSWER)

    async with session_factory() as session:
        appeals = {a.reg_number: a for a in (await session.scalars(select(Appeal))).all()}
        owner = await session.get(Correspondent, appeals[own].correspondent_id)
        assert owner is not None and owner.telegram_id == victim.user_id and owner.phone_proven
        assert owner.phone_normalized == VICTIM_PHONE and not owner.email_proven
        # The typed contacts stay with the appeals; each attacker got a record of their own.
        assert appeals[typed_phone].contact_phone == "+79161234567"
        assert appeals[typed_email].contact_email == VICTIM_EMAIL
        records = {appeals[n].correspondent_id for n in (own, typed_phone, typed_email)}
        assert len(records) == 3
        suggestions = (await session.scalars(select(CorrespondentSuggestion))).all()
        assert {(s.correspondent_id, s.candidate_id, s.reason) for s in suggestions} == {
            (appeals[typed_phone].correspondent_id, owner.id, "phone"),
            (appeals[typed_email].correspondent_id, owner.id, "email"),
        }


async def test_own_contact_links_a_record_a_forged_contact_does_not(
    new_chat, sandbox, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_factory() as session:  # a paper letter with the phone, filed by a clerk
        paper = await register_appeal(
            session,
            AppealInput(
                channel="paper", text=SECRET, contact=ContactInput(name="Петрова", phone=VICTIM_PHONE)
            ),
            actor=Actor.system("test"),
            files_dir=settings.files_dir,
        )
        await session.commit()
        number = paper.appeal.reg_number

    forger = await new_chat("Подделка")
    menu = await forger.send("/start", expect="Здравствуйте")
    await forger.press(menu, "Указать телефон")
    await agree_to_consent(forger)
    await forger.reply("укажите номер телефона")
    sent = forge_contact(sandbox, forger, forger.user_id + 1, VICTIM_PHONE)
    await wait_after(forger, sent, "собственный контакт")
    await forger.send("/cancel")
    assert number not in await mine(forger)

    owner = await new_chat("Петрова")
    menu = await owner.send("/start", expect="Здравствуйте")
    await owner.press(menu, "Указать телефон")
    await agree_to_consent(owner)
    await owner.reply("укажите номер телефона")
    await owner.client.send_contact(owner.user_id, VICTIM_PHONE, "Петрова")
    await owner.reply("сохранён")
    listing = await owner.send(MINE, expect=number)
    assert SECRET[:20] in listing["text"] or number in listing["text"]
    async with session_factory() as session:
        account = await session.get(TelegramAccount, owner.user_id)
        record = await session.get(Correspondent, paper.appeal.correspondent_id)
        assert account is not None and record is not None
        assert account.correspondent_id == record.id and record.telegram_id == owner.user_id
        assert record.phone_proven
        forged = await session.get(TelegramAccount, forger.user_id)
        assert forged is not None and forged.correspondent_id is None
