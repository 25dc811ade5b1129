"""Issue #12, the appeals part: a typed appeal reference in every shown form, answering while
assignments are open (refused, or overridden with an audited reason), the answer's files through
both channels, and how an applicant without e-mail or Telegram gets the answer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AuditEvent, Correspondent, MailOutbox, OutboxMessage, StoredFile, User, utcnow
from models.enums import AppealChannel
from services import files
from services.appeals import attachments, notices, numbering, workflow
from services.appeals.intake import ContactInput
from services.errors import InvalidInput, NotFound
from services.notify import Translator
from tests.services.appeals_helpers import CTX, PNG, add_account, make_staff, register

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_a_reference_is_accepted_as_shown_and_in_the_short_forms(
    session: AsyncSession, tmp_path: Path
) -> None:
    first = (await register(session, tmp_path)).appeal
    year = first.reg_year
    # Push the sequence past the internal ids, so a bare «1» names two different appeals.
    session.add(Appeal(reg_year=year - 1, reg_seq=2, reg_number=f"{year - 1}-000002", channel="paper",
                       text="x", due_at=utcnow()))  # fmt: skip
    await session.commit()
    second = (await register(session, tmp_path)).appeal
    old = await session.scalar(select(Appeal).where(Appeal.reg_year == year - 1))
    assert old is not None

    async def find(raw: str) -> Appeal:
        return await numbering.find_by_reference(session, raw, year=year)

    for raw in (first.reg_number, f"№ {first.reg_number}", f"{year}–1", f" 1/{year} ", "000001"):
        assert (await find(raw)).id == first.id, raw
    assert (await find(f"2/{year - 1}")).id == old.id
    assert (await find(f"{year}/2")).id == second.id and (await find(f"0002/{year}")).id == second.id
    assert (await find(second.reg_number)).id == second.id
    # Bare digits: this year's sequence, or the internal id the panel took before, when only one of
    # the two readings exists. Ids 1, 2, 3 here: «2» is both this year's second and last year's row.
    assert (first.id, old.id, second.id, second.reg_seq) == (1, 2, 3, 2)
    with pytest.raises(InvalidInput) as ambiguous:
        await find("2")
    assert "ambiguous" in ambiguous.value.message
    assert (await find("3")).id == second.id  # no third appeal this year: the old internal id
    assert (await find("000002")).id == second.id  # zero-padded: only ever the sequence
    with pytest.raises(NotFound):
        await find(f"{year}-000099")
    for bad in ("", "яма", "2026-00-01", "x" * 50):
        with pytest.raises(InvalidInput):
            await find(bad)


async def test_answer_refused_while_assignments_are_open_then_overridden_with_an_audited_reason(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    await add_account(session, 1001)
    appeal = (await register(session, tmp_path)).appeal
    assignment = await workflow.create_assignment_from_appeal(
        session,
        appeal.id,
        workflow.AppealAssignment(deadline=utcnow() + timedelta(days=3), executor_id=people["exec"].id),
        actor=people["clerk"],
    )
    await session.commit()
    assignment_id, clerk_id, appeal_id = assignment.id, people["clerk"].id, appeal.id
    sent_before = len((await session.scalars(select(OutboxMessage.id))).all())
    with pytest.raises(workflow.AssignmentsStillOpen) as refused:
        await workflow.answer_appeal(session, appeal.id, text="Сделано.", actor=people["clerk"], notify=CTX)
    await session.rollback()
    [listed] = refused.value.assignments
    assert (listed.id, listed.executor_name, listed.status) == (assignment_id, "Исполнитель", "new")
    assert len((await session.scalars(select(OutboxMessage.id))).all()) == sent_before  # nothing sent

    clerk = await session.get(User, clerk_id)
    assert clerk is not None
    await workflow.answer_appeal(
        session,
        appeal_id,
        text="Яму засыплют до пятницы.",
        actor=clerk,
        notify=CTX,
        override_reason="Заявитель просил ответить сразу",
    )
    await session.commit()
    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.entity_id == appeal_id, AuditEvent.action == "answered")
    )
    assert event is not None and event.reason == "Заявитель просил ответить сразу"
    assert event.data["override"] is True and event.data["open_assignment_ids"] == [assignment_id]


async def test_answer_files_follow_the_text_in_telegram_and_are_referenced_by_the_letter(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    clerk_id = people["clerk"].id
    await add_account(session, 1001)
    by_bot = (await register(session, tmp_path)).appeal
    by_mail = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.EMAIL,
            contact=ContactInput(name="Петров", email="petrov@example.ru"),
            external_id="<q1@example.ru>",
        )
    ).appeal

    async def upload(name: str, data: bytes) -> int:
        origin = files.FileOrigin(uploaded_by_user_id=clerk_id)
        return (await files.store_file(session, tmp_path, data, filename=name, origin=origin)).id

    scheme, act = await upload("схема.png", PNG), await upload("акт.pdf", PDF)
    foreign = (
        await files.store_file(
            session,
            tmp_path,
            PDF,
            filename="чужой.pdf",
            origin=files.FileOrigin(uploaded_by_user_id=people["exec"].id),
        )
    ).id
    await session.commit()
    bot_id, mail_id = by_bot.id, by_mail.id
    with pytest.raises(InvalidInput):  # someone else's upload cannot be attached
        await workflow.answer_appeal(
            session, by_bot.id, text="Ответ", actor=people["clerk"], notify=CTX, file_ids=[foreign]
        )
    await session.rollback()
    clerk = await session.get(User, clerk_id)
    await workflow.answer_appeal(
        session, bot_id, text="Ответ со схемой.", actor=clerk, notify=CTX, file_ids=[scheme, act]
    )
    await session.commit()
    sent = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    answer_part = [m.method for m in sent if "answered" in (m.dedup_key or "")]
    assert answer_part == ["sendMessage", "sendDocument", "sendDocument"]
    assert [f.id for f in await attachments.answer_files(session, bot_id)] == [scheme, act]
    stored = await session.get(StoredFile, act)
    assert stored is not None and stored.appeal_id == bot_id and stored.for_answer

    again = await upload("акт.pdf", PDF)
    await session.commit()
    await workflow.answer_appeal(
        session, mail_id, text="Ответ с актом.", actor=clerk, notify=CTX, file_ids=[again]
    )
    await session.commit()
    letter = await session.scalar(select(MailOutbox).where(MailOutbox.dedup_key.endswith(":answered")))
    assert letter is not None and letter.file_ids == [again]  # a reference, not the bytes


async def test_how_an_applicant_without_email_or_telegram_gets_the_answer(
    session: AsyncSession, tmp_path: Path
) -> None:
    by_phone = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.WEB,
            contact=ContactInput(name="Сидоров", phone="+79001112233"),
            contact_phone="+79001112233",
        )
    ).appeal
    paper = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.PAPER,
            contact=ContactInput(name="Кузнецова", postal_address="ул. Ленина, 5, кв. 12"),
        )
    ).appeal
    t = Translator("ru")
    web_route = await notices.answer_route(session, CTX, by_phone)
    assert web_route.by_hand and web_route.phone == "+79001112233"
    lines = notices.route_lines(web_route, t)
    assert any("странице проверки статуса" in line for line in lines)
    assert any("позвоним" in line and "+79001112233" in line for line in lines)
    paper_route = await notices.answer_route(session, CTX, paper)
    correspondent = await session.get(Correspondent, paper.correspondent_id)
    assert correspondent is not None and paper_route.postal_address == correspondent.postal_address
    assert notices.route_lines(paper_route, t) == [
        "Ответ будет отправлен почтой по адресу: ул. Ленина, 5, кв. 12."
    ]


async def test_a_form_applicant_who_gave_an_email_is_answered_there(
    session: AsyncSession, tmp_path: Path
) -> None:
    """59-FZ art. 10(4): an appeal received electronically is answered at the e-mail it gives — the
    web form and Open311 included, not only letters. The typed address serves this appeal only."""
    people = await make_staff(session)
    by_form = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.WEB,
            contact=ContactInput(name="Смирнова", email="Olga.Smirnova@example.ru"),
        )
    ).appeal
    route = await notices.answer_route(session, CTX, by_form)
    assert not route.by_hand and route.email == "olga.smirnova@example.ru"
    registered = await session.scalar(select(MailOutbox).where(MailOutbox.dedup_key.endswith(":registered")))
    assert registered is not None and registered.to_address == "olga.smirnova@example.ru"
    await workflow.answer_appeal(session, by_form.id, text="Яму заделали.", actor=people["clerk"], notify=CTX)
    await session.commit()
    letter = await session.scalar(select(MailOutbox).where(MailOutbox.dedup_key.endswith(":answered")))
    assert letter is not None and letter.to_address == "olga.smirnova@example.ru"
    assert "Яму заделали." in letter.body
    person = await session.get(Correspondent, by_form.correspondent_id)
    assert person is not None and not person.email_proven  # nothing about the person was proven
