"""Issue #12: an answer with files reaches the Telegram resident as the text, then the documents."""

from __future__ import annotations

from sqlalchemy import select

from models import StoredFile, User
from services import files
from services.appeals.workflow import answer_appeal
from services.notify import NoticeContext
from tests.bot.assignments_support import outbox_fixture  # noqa: F401 - fixture
from tests.bot.test_resident_appeals_answer import _register

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ANSWER = "Площадка очищена, акт выполненных работ во вложении."


async def test_the_answer_and_its_document_reach_the_resident(
    new_chat, outbox, session_factory, settings
) -> None:
    chat = await new_chat("Анна")
    await chat.send("/start", expect="Здравствуйте")
    appeal_id, number, clerk_id = await _register(session_factory, settings, chat.user_id)
    async with session_factory() as session:
        clerk = await session.get(User, clerk_id)
        assert clerk is not None
        act = await files.store_file(
            session,
            settings.files_dir,
            PDF,
            filename="акт.pdf",
            origin=files.FileOrigin(uploaded_by_user_id=clerk_id),
        )
        await answer_appeal(
            session,
            appeal_id,
            text=ANSWER,
            actor=clerk,
            notify=NoticeContext.from_settings(settings),
            file_ids=[act.id],
        )
        await session.commit()
    answer = await chat.reply(ANSWER)
    assert number in answer["text"]
    document = await chat.client.wait_for(
        chat.user_id, lambda m: m["kind"] == "document", after_message_id=answer["message_id"]
    )
    assert await chat.client.download(document["media"][0]["url"]) == PDF
    async with session_factory() as session:
        stored = await session.scalar(select(StoredFile).where(StoredFile.for_answer.is_(True)))
        assert stored is not None and stored.appeal_id == appeal_id
