"""A letter comes in by IMAP; the acknowledgement and the final answer go back by SMTP, threaded."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, MailOutbox
from models.enums import Role
from porucheno.settings import Settings
from services import staff
from services.appeals.workflow import answer_appeal
from services.audit import Actor
from services.mail.intake import MailPoller
from services.mail.smtp_sender import MailSender
from services.notify import NoticeContext
from tests.mail.conftest import ImapServer, SmtpSink, letter, message_id_of


async def test_answer_reaches_the_resident_in_the_thread_of_the_letter(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
    smtp_server: SmtpSink,
) -> None:
    original = letter(
        subject="Яма во дворе дома № 5 по ул. Ленина", body="Прошу заделать яму.", sender="ivan@example.ru"
    )
    imap_server.append(mailbox, original)
    ctx = NoticeContext()
    poller = MailPoller(
        session_factory, imap_server.config(mailbox), files_dir=settings.files_dir, notify=ctx
    )
    assert (await poller.poll()).registered == 1
    sender = MailSender(session_factory, smtp_server.config())
    assert (await sender.send_due()).sent == 1  # the acknowledgement with the number
    async with session_factory() as session:
        appeal = await session.scalar(select(Appeal))
        assert appeal is not None
        clerk = await staff.create_user(
            session, Actor.system("test"), full_name="Смирнова Анна Петровна", roles=[Role.ADMIN]
        )
        await answer_appeal(session, appeal.id, text="Яма будет заделана до 1 июня.", actor=clerk, notify=ctx)
        await session.commit()

    assert (await sender.send_due()).sent == 1
    assert (await sender.send_due()).sent == 0

    ack, answer = smtp_server.received
    for mail in (ack, answer):
        assert mail["In-Reply-To"] == message_id_of(original)
        assert mail["To"] == "ivan@example.ru"
        assert appeal.reg_number in mail["Subject"]
    assert ack["Subject"] == f"Обращение № {appeal.reg_number}: зарегистрировано"
    assert answer["Subject"] == f"Обращение № {appeal.reg_number}: ответ"
    assert "Яма будет заделана до 1 июня." in answer.get_content()
    assert ack["Message-ID"] != answer["Message-ID"]
    # The acknowledgement is automatic (auto-replies must ignore it); the answer is a person's letter.
    assert ack["Auto-Submitted"] == "auto-generated" and answer["Auto-Submitted"] is None
    async with session_factory() as session:
        statuses = (await session.scalars(select(MailOutbox.status))).all()
    assert statuses == ["sent", "sent"]
