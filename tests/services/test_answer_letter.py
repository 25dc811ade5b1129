"""The answer as a letter: issued once on the letterhead with the chosen signer and the answer's files
as enclosures, its PDF is the first attachment of the answer e-mail (and the first document after
the text in Telegram), marked sent by the channel; a retry never issues a second letter; a 547-FZ
message may go without a letter; a letter for the post is marked posted by the clerk, once."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealLetter, AuditEvent, MailOutbox, OrgCard, OutboxMessage, StoredFile, User
from models.enums import AppealChannel, AppealRegime
from services import files
from services.appeals import answer_letter, attachments, workflow
from services.appeals.intake import ContactInput
from services.errors import InvalidInput
from services.files import file_path
from services.letters.issue import LetterEnv
from tests.services.appeals_helpers import CTX, PNG, add_account, make_staff, register
from tests.services.test_letters import _docx_text, _pdf_text

TZ = ZoneInfo("Europe/Moscow")


def _spec(tmp_path: Path, position: str = "", name: str = "") -> answer_letter.AnswerLetterSpec:
    return answer_letter.AnswerLetterSpec(LetterEnv(files_dir=tmp_path, tz=TZ), position, name)


async def _upload(session: AsyncSession, tmp_path: Path, user_id: int, name: str) -> int:
    origin = files.FileOrigin(uploaded_by_user_id=user_id)
    return (await files.store_file(session, tmp_path, PNG, filename=name, origin=origin)).id


async def _flat(session: AsyncSession, tmp_path: Path, file_id: int | None) -> str:
    stored = await session.get(StoredFile, file_id)
    assert stored is not None
    data = file_path(tmp_path, stored).read_bytes()
    text = _pdf_text(data) if stored.mime_type == "application/pdf" else _docx_text(data)
    return " ".join(text.split())


async def test_an_emailed_answer_is_the_letter_kept_once_and_sent_as_the_first_attachment(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    session.add(OrgCard(id=1, name="Администрация г. Энска", head_position="Глава", head_name="С. В. Иванов"))
    appeal = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.EMAIL,
            contact=ContactInput(name="Петров Пётр", email="petrov@example.ru"),
            external_id="<q1@example.ru>",
        )
    ).appeal
    scheme = await _upload(session, tmp_path, people["clerk"].id, "схема.png")
    await session.commit()
    appeal_id = appeal.id
    spec = _spec(tmp_path, "Заместитель главы", "А. П. Смирнов")
    await workflow.answer_appeal(
        session,
        appeal_id,
        text="Уважаемый Пётр!\n\nЯма заделана.",
        actor=people["clerk"],
        notify=CTX,
        file_ids=[scheme],
        letter=spec,
    )
    await session.commit()

    letter = await answer_letter.answer_letter_of(session, appeal_id)
    assert letter is not None and letter.kind == "answer" and letter.title == "Ответ на обращение"
    assert (letter.signer_position, letter.signer_name) == ("Заместитель главы", "А. П. Смирнов")
    assert letter.sent_via == "email" and letter.sent_at is not None
    for file_id in (letter.docx_file_id, letter.pdf_file_id):
        flat = await _flat(session, tmp_path, file_id)
        for expected in ("Администрация г. Энска", "Ответ на обращение", "Петров Пётр", "Яма заделана.",
                         "Приложения:", "1. схема.png", "Заместитель главы", "А. П. Смирнов"):  # fmt: skip
            assert expected in flat, (expected, flat)
    mail = await session.scalar(select(MailOutbox).where(MailOutbox.dedup_key.endswith(":answered")))
    assert mail is not None and mail.file_ids == [letter.pdf_file_id, scheme]
    assert "Яма заделана." in mail.body  # the text stays in the mail, the letter is attached

    # A retry (after a failed sending, say) neither issues a second letter nor queues a second mail.
    fresh = await session.get(Appeal, appeal_id)
    assert fresh is not None
    clerk = await session.get(User, people["clerk"].id)
    assert clerk is not None
    same = await answer_letter.issue_answer_letter(session, fresh, [], spec, actor=clerk)
    await answer_letter.send_answer(session, CTX, fresh, same)
    await session.commit()
    assert same.id == letter.id
    assert await session.scalar(select(func.count()).select_from(AppealLetter)) == 1
    answers = select(func.count()).where(MailOutbox.dedup_key.endswith(":answered"))
    assert await session.scalar(answers) == 1
    actions = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == appeal_id).order_by(AuditEvent.id)
        )
    ).all()
    assert actions[-3:] == ["answered", "letter_issued", "letter_sent"]


async def test_in_telegram_the_letter_follows_the_text_before_the_files(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    await add_account(session, 1001)
    appeal = (await register(session, tmp_path)).appeal
    act = await _upload(session, tmp_path, people["clerk"].id, "акт.png")
    await session.commit()
    await workflow.answer_appeal(
        session, appeal.id, text="Ответ.", actor=people["clerk"], notify=CTX, file_ids=[act],
        letter=_spec(tmp_path),
    )  # fmt: skip
    await session.commit()
    letter = await answer_letter.answer_letter_of(session, appeal.id)
    assert letter is not None and letter.sent_via == "telegram"
    sent = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    answer = [m for m in sent if ":answered:" in (m.dedup_key or "")]
    assert [m.method for m in answer] == ["sendMessage", "sendDocument", "sendDocument"]
    pdf = await session.get(StoredFile, letter.pdf_file_id)
    assert pdf is not None
    assert answer[1].payload["document"] == {"path": pdf.storage_path, "filename": pdf.original_name}
    assert answer[2].payload["document"]["filename"] == "акт.png"


async def test_a_message_may_go_without_a_letter_and_a_posted_letter_is_marked_by_the_clerk(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    message = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.EMAIL,
            contact=ContactInput(name="Сидоров", email="sidorov@example.ru"),
        )
    ).appeal
    message.regime = AppealRegime.MESSAGE
    paper = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.PAPER,
            contact=ContactInput(name="Кузнецова", postal_address="ул. Ленина, 5, кв. 12"),
        )
    ).appeal
    await session.commit()
    assert not answer_letter.letter_by_default(message) and answer_letter.letter_by_default(paper)
    clerk = people["clerk"]
    message_id, paper_id = message.id, paper.id
    await workflow.answer_appeal(session, message_id, text="Принято к сведению.", actor=clerk, notify=CTX)
    await workflow.answer_appeal(
        session, paper_id, text="Ответ почтой.", actor=clerk, notify=CTX, letter=_spec(tmp_path)
    )
    await session.commit()
    assert await answer_letter.answer_letter_of(session, message_id) is None
    mail = await session.scalar(select(MailOutbox).where(MailOutbox.appeal_id == message_id))
    assert mail is not None and not mail.file_ids
    letter = await answer_letter.answer_letter_of(session, paper_id)
    assert letter is not None and letter.sent_at is None  # nobody has posted it yet
    assert "ул. Ленина, 5, кв. 12" in letter.recipient

    clerk = await session.get(User, people["clerk"].id)
    assert clerk is not None
    with pytest.raises(InvalidInput):
        await answer_letter.mark_posted(session, paper_id, via="pigeon", actor=clerk)
    await answer_letter.mark_posted(session, paper_id, via="post", actor=clerk)
    await session.commit()
    assert (letter.sent_via, letter.sent_at is not None) == ("post", True)
    with pytest.raises(InvalidInput):
        await answer_letter.mark_posted(session, paper_id, via="hand", actor=clerk)
    assert attachments.MAX_ANSWER_FILES > 0
