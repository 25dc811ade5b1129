"""Issue #12: the answer's files go out by SMTP as MIME attachments, read from FILES_DIR (the outbox
row holds their ids only); a file gone from disk fails the letter for good instead of retrying."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import MailOutbox, StoredFile
from models.enums import AppealChannel, Role
from porucheno.settings import Settings
from services import files, staff
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.appeals.workflow import answer_appeal
from services.audit import Actor
from services.mail.smtp_sender import MailSender
from services.notify import NoticeContext
from tests.mail.conftest import SmtpSink

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_answer_attachments_arrive_as_mime_parts(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, smtp_server: SmtpSink
) -> None:
    ctx = NoticeContext()
    async with session_factory() as session:
        result = await register_appeal(
            session,
            AppealInput(
                channel=AppealChannel.EMAIL,
                text="Прошу заделать яму.",
                contact=ContactInput(name="Иван", email="ivan@example.ru"),
                external_id="<q1@example.ru>",
                reply_to="ivan@example.ru",
            ),
            actor=Actor.system("test"),
            files_dir=settings.files_dir,
            notify=ctx,
        )
        clerk = await staff.create_user(
            session, Actor.system("test"), full_name="Смирнова", roles=[Role.CLERK]
        )
        act = await files.store_file(
            session,
            settings.files_dir,
            PDF,
            filename="акт выполненных работ.pdf",
            origin=files.FileOrigin(uploaded_by_user_id=clerk.id),
        )
        await answer_appeal(
            session,
            result.appeal.id,
            text="Яма заделана, акт во вложении.",
            actor=clerk,
            notify=ctx,
            file_ids=[act.id],
        )
        await session.commit()
    sender = MailSender(session_factory, smtp_server.config(), files_dir=settings.files_dir)
    assert (await sender.send_due()).sent == 2  # the acknowledgement, the answer
    ack, answer = smtp_server.received
    assert not ack.is_multipart() and answer.is_multipart()
    assert "Яма заделана, акт во вложении." in answer.get_body(("plain",)).get_content()
    [attached] = list(answer.iter_attachments())
    assert attached.get_filename() == "акт выполненных работ.pdf"
    assert attached.get_content_type() == "application/pdf" and attached.get_content() == PDF


async def test_a_missing_attachment_fails_the_letter_for_good(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, smtp_server: SmtpSink
) -> None:
    async with session_factory() as session:
        stored = await files.store_file(session, settings.files_dir, PDF, filename="a.pdf")
        session.add(
            MailOutbox(
                to_address="ivan@example.ru",
                subject="Ответ",
                body="Текст",
                dedup_key="t:1",
                file_ids=[stored.id],
            )
        )
        await session.commit()
        (settings.files_dir / stored.storage_path).unlink()
    sender = MailSender(session_factory, smtp_server.config(), files_dir=settings.files_dir)
    assert (await sender.send_due()).failed == 1
    assert smtp_server.received == []
    async with session_factory() as session:
        row = await session.scalar(select(MailOutbox))
        assert row is not None and row.status == "failed" and "cannot be read" in (row.last_error or "")
        assert await session.scalar(select(StoredFile.id)) == stored.id
