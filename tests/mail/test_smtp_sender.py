"""E-mail answers leave through a real SMTP server: retried on 4xx, given up on 5xx, sent once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, MailOutbox, utcnow
from services.mail.smtp_sender import MailSender
from tests.mail.conftest import SmtpSink

SUBJECT = "Ответ на обращение № 2026-000001: яма во дворе дома № 5 по ул. Ленина, подъезд 2"


async def _queue(session_factory: async_sessionmaker[AsyncSession], **values: object) -> int:
    async with session_factory() as session:
        fields: dict[str, object] = {
            "to_address": "ivan.petrov@example.ru",
            "subject": SUBJECT,
            "body": "Уважаемый Иван Петрович!\nЯма во дворе будет заделана до 1 июня.",
            "in_reply_to": "<original-1@example.ru>",
        }
        row = MailOutbox(**{**fields, **values})
        session.add(row)
        await session.commit()
        return row.id


async def _row(session_factory: async_sessionmaker[AsyncSession], row_id: int) -> MailOutbox:
    async with session_factory() as session:
        row = await session.get(MailOutbox, row_id)
        assert row is not None
        return row


async def test_temporary_refusal_is_retried_and_the_letter_arrives_once(
    session_factory: async_sessionmaker[AsyncSession], smtp_server: SmtpSink
) -> None:
    row_id = await _queue(session_factory)
    smtp_server.answers["DATA"] = ["451 4.3.0 Try again later"]
    sender = MailSender(session_factory, smtp_server.config())
    start = utcnow()

    first = await sender.send_due(start)
    assert (first.retried, first.sent) == (1, 0)
    row = await _row(session_factory, row_id)
    assert row.status == "pending" and row.attempts == 1 and "451" in (row.last_error or "")
    # Not due again until the backoff has passed; a second run (or a second sender) sends nothing.
    assert (await sender.send_due(start + timedelta(seconds=5))).sent == 0

    assert (await sender.send_due(start + timedelta(minutes=2))).sent == 1
    assert (await sender.send_due(start + timedelta(hours=2))).sent == 0
    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0]
    assert mail["Subject"] == SUBJECT  # long enough to be folded: no word glued to the next
    assert mail["In-Reply-To"] == "<original-1@example.ru>"
    assert mail["References"] == "<original-1@example.ru>"
    assert "Яма во дворе будет заделана" in mail.get_content()
    assert mail["From"].addresses[0].display_name == "Администрация города"
    assert smtp_server.envelopes == [("appeals@city.example", ["ivan.petrov@example.ru"])]
    row = await _row(session_factory, row_id)
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 2


async def test_permanent_refusal_marks_the_letter_failed(
    session_factory: async_sessionmaker[AsyncSession], smtp_server: SmtpSink
) -> None:
    smtp_server.refuse_rcpt["nobody@example.ru"] = "550 5.1.1 No such user"
    bad = await _queue(session_factory, to_address="nobody@example.ru")
    good = await _queue(session_factory)
    sender = MailSender(session_factory, smtp_server.config())

    result = await sender.send_due()
    assert (result.sent, result.failed) == (1, 1)
    assert (await _row(session_factory, bad)).status == "failed"
    assert (await _row(session_factory, good)).status == "sent"
    assert (await sender.send_due(utcnow() + timedelta(days=1))).sent == 0
    assert [e[1] for e in smtp_server.envelopes] == [["ivan.petrov@example.ru"]]
    async with session_factory() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "mail_failed"))
    assert event is not None and event.entity_id == bad and "550" in (event.reason or "")


async def test_unreachable_server_keeps_the_letter_for_later(
    session_factory: async_sessionmaker[AsyncSession], smtp_server: SmtpSink
) -> None:
    row_id = await _queue(session_factory)
    down = MailSender(session_factory, smtp_server.config(port=1))
    assert (await down.send_due()).retried == 1
    row = await _row(session_factory, row_id)
    assert row.status == "pending" and row.attempts == 1

    up = MailSender(session_factory, smtp_server.config())
    assert (await up.send_due(utcnow() + timedelta(minutes=5))).sent == 1
    assert len(smtp_server.received) == 1
