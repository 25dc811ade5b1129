"""One resident, two channels: an appeal written in the bot (with an e-mail address confirmed by the
code mailed to it) and a letter from that address to the organisation's mailbox land on one
correspondent; the e-mail's answer goes back by e-mail, the bot appeal's answer reaches the chat.
An address typed but not confirmed joins nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import Appeal, Correspondent, MailOutbox, User
from models.enums import Role
from porucheno.settings import Settings
from sandbox.runner import RunningSandbox
from services import staff
from services.appeals import workflow
from services.audit import Actor
from services.mail.intake import MailPoller
from services.notify import NoticeContext
from tests.bot.appeals_support import DONE, NEXT, SEND, SKIP, give_name, open_form
from tests.bot.conftest import (  # noqa: F401
    bot,
    client,
    dispatcher,
    new_chat,
    polling,
    relaxed_settings,
    sandbox,
)
from tests.mail.conftest import ImapServer, letter

EMAIL = "Olga.Smirnova@Example.RU"
CODE_RE = re.compile(r"код подтверждения: (\d{6})")


@pytest.fixture
def bot_settings(settings: Settings, sandbox: RunningSandbox) -> Settings:  # noqa: F811
    """Mail configured: the bot offers to confirm a typed address with a code."""
    return relaxed_settings(settings, sandbox, smtp_host="smtp.example.ru")


async def mailed_code(session_factory: async_sessionmaker[AsyncSession]) -> str:
    async with session_factory() as session:
        letter = await session.scalar(select(MailOutbox).where(MailOutbox.dedup_key.like("email-code:%")))
    assert letter is not None and letter.to_address == EMAIL.lower()
    match = CODE_RE.search(letter.body)
    assert match is not None, letter.body
    return match.group(1)


async def test_bot_and_email_land_on_one_correspondent(
    new_chat,  # noqa: F811
    bot,  # noqa: F811
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    imap_server: ImapServer,
    mailbox: str,
) -> None:
    chat = await new_chat("Ольга")
    await open_form(chat, "Опишите проблему")  # no topics configured: the text comes first
    progress = await chat.send("Не горит фонарь у подъезда № 2", expect="Символов в тексте")
    await chat.press(progress, NEXT)
    await chat.press(await chat.reply("Где это?"), SKIP)
    await chat.press(await chat.reply("Приложите фото или документы"), SKIP)
    await give_name(chat)
    await chat.reply("Как с вами связаться?")
    await chat.send(EMAIL, expect="Мы отправили 6-значный код")
    code = await mailed_code(session_factory)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    await chat.send(wrong, expect="Код неверный")
    saved = await chat.send(code, expect="адрес электронной почты подтверждён")
    await chat.press(saved, DONE)
    await chat.press(await chat.reply("проверьте перед отправкой"), SEND)
    await chat.reply("Ваше обращение зарегистрировано")

    imap_server.append(
        mailbox,
        letter(sender=f"Ольга Смирнова <{EMAIL.lower()}>", subject="Фонарь", body="Фонарь так и не горит"),
    )
    poller = MailPoller(
        session_factory, imap_server.config(mailbox), files_dir=bot_settings.files_dir, notify=NoticeContext()
    )
    assert (await poller.poll()).registered == 1

    async with session_factory() as session:
        appeals = (await session.scalars(select(Appeal).order_by(Appeal.id))).all()
        assert [a.channel for a in appeals] == ["telegram", "email"]
        assert appeals[0].correspondent_id == appeals[1].correspondent_id
        person = await session.get(Correspondent, appeals[0].correspondent_id)
        assert person is not None and person.telegram_id == chat.user_id
        assert person.email == EMAIL.lower() and person.appeals_count == 2
        clerk = await staff.create_user(
            session, Actor.system("test"), full_name="Делопроизводитель", roles=[Role.CLERK]
        )
        await session.commit()
        clerk_id, (bot_appeal, mail_appeal) = clerk.id, appeals

    ctx = NoticeContext.from_settings(bot_settings)
    async with session_factory() as session:
        clerk_user = await session.get(User, clerk_id)
        assert clerk_user is not None
        await workflow.answer_appeal(
            session, mail_appeal.id, text="Фонарь заменён.", actor=clerk_user, notify=ctx
        )
        await workflow.answer_appeal(
            session, bot_appeal.id, text="Фонарь заменён 25 ноября.", actor=clerk_user, notify=ctx
        )
        await session.commit()
        mail = (await session.scalars(select(MailOutbox))).all()
    assert [m.to_address for m in mail if "ответ" in m.subject.lower()] == [EMAIL.lower()]
    await OutboxSender(bot, session_factory, global_rate=100, chat_interval=0).drain()
    answer = await chat.reply("Фонарь заменён 25 ноября.")
    assert "5⭐" in str(answer.get("reply_markup"))
