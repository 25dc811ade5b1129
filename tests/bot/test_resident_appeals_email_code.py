"""Proving an e-mail address in the bot: the code mailed to it links the person's earlier e-mail
appeals to their Telegram account; someone typing that address cannot guess the code (wrong codes,
then no more attempts) and sees nothing of them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import EmailCode, MailOutbox, TelegramAccount
from porucheno.settings import Settings
from sandbox.runner import RunningSandbox
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from tests.bot.appeals_support import DONE, MINE, NEXT, REG_NUMBER, SEND, SKIP, give_name, open_form
from tests.bot.conftest import Chat, relaxed_settings

EMAIL = "anna.petrova@example.ru"
LETTER = "Прошу провести перерасчёт за отопление"
CODE_RE = re.compile(r"код подтверждения: (\d{6})")


@pytest.fixture
def bot_settings(settings: Settings, sandbox: RunningSandbox) -> Settings:
    return relaxed_settings(settings, sandbox, smtp_host="smtp.example.ru")


async def mailed_code(session_factory: async_sessionmaker[AsyncSession], telegram_id: int) -> str:
    async with session_factory() as session:
        row = await session.scalar(
            select(EmailCode).where(EmailCode.telegram_id == telegram_id).order_by(EmailCode.id.desc())
        )
        assert row is not None
        letter = await session.scalar(
            select(MailOutbox).where(MailOutbox.dedup_key == f"email-code:{row.id}")
        )
    assert letter is not None and letter.to_address == EMAIL
    match = CODE_RE.search(letter.body)
    assert match is not None, letter.body
    return match.group(1)


async def to_contacts(chat: Chat, text: str) -> None:
    await open_form(chat, "Опишите проблему")
    await chat.press(await chat.send(text, expect="Символов в тексте"), NEXT)
    await chat.press(await chat.reply("Где это?"), SKIP)
    await chat.press(await chat.reply("Приложите фото или документы"), SKIP)
    await give_name(chat)
    await chat.reply("Как с вами связаться?")


async def send_appeal(chat: Chat, saved: dict) -> str:
    await chat.press(saved, DONE)
    await chat.press(await chat.reply("проверьте перед отправкой"), SEND)
    done = await chat.reply("Ваше обращение зарегистрировано")
    number = re.search(REG_NUMBER, done["text"])
    assert number is not None
    return number.group(0)


async def test_right_code_links_wrong_codes_do_not(
    new_chat, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_factory() as session:  # the owner's earlier letter
        letter = await register_appeal(
            session,
            AppealInput(
                channel="email",
                text=LETTER,
                contact=ContactInput(name="Анна Петрова", email=EMAIL),
                external_id="<earlier@example.ru>",
                reply_to=EMAIL,
            ),
            actor=Actor.system("test"),
            files_dir=settings.files_dir,
        )
        await session.commit()
        earlier, record_id = letter.appeal.reg_number, letter.appeal.correspondent_id

    attacker = await new_chat("Чужой")
    await to_contacts(attacker, "Покажите мне обращения")
    await attacker.send(EMAIL.upper(), expect="Мы отправили 6-значный код")
    code = await mailed_code(session_factory, attacker.user_id)
    guesses = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 6)]
    for guess in guesses:
        await attacker.send(guess, expect="Код неверный")
    await attacker.send(code, expect="Слишком много неверных попыток")  # even the right one, now
    saved = await attacker.reply("сохранён в обращении без подтверждения")
    own = await send_appeal(attacker, saved)
    listing = (await attacker.send(MINE, expect=own))["text"]
    assert earlier not in listing and LETTER[:20] not in listing

    owner = await new_chat("Анна")
    await to_contacts(owner, "Батареи так и не греют")
    await owner.send(EMAIL, expect="Мы отправили 6-значный код")
    saved = await owner.send(await mailed_code(session_factory, owner.user_id), expect="подтверждён")
    second = await send_appeal(owner, saved)
    listing = (await owner.send(MINE, expect=second))["text"]
    assert earlier in listing and own not in listing
    async with session_factory() as session:
        account = await session.get(TelegramAccount, owner.user_id)
        stranger = await session.get(TelegramAccount, attacker.user_id)
        assert account is not None and account.correspondent_id == record_id
        assert stranger is not None and stranger.correspondent_id != record_id
