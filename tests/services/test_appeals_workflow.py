"""After registration: the single extension, overdue figures, the status following assignments,
the answer through each channel, the rating, rejection and closing — with the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AuditEvent, MailOutbox, OutboxMessage, User, utcnow
from models.enums import AppealChannel, AppealStatus
from services.appeals import queries, workflow
from services.appeals.intake import ContactInput
from services.assignments import commands
from services.assignments.lifecycle import Action
from services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.appeals_helpers import CTX, add_account, make_staff, register

T0 = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)


async def _events(session: AsyncSession, appeal_id: int) -> list[tuple[str, str | None, str | None]]:
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "appeal", AuditEvent.entity_id == appeal_id)
        .order_by(AuditEvent.id)
    )
    return [(e.action, e.old_state, e.new_state) for e in rows]


async def test_one_extension_with_a_notice_and_overdue_counting(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    await add_account(session, 1001)
    appeal = (await register(session, tmp_path, now=T0)).appeal
    with pytest.raises(InvalidInput):
        await workflow.extend_deadline(
            session, appeal.id, days=31, reason="Нужна экспертиза", actor=people["clerk"], notify=CTX
        )
    with pytest.raises(InvalidInput):
        await workflow.extend_deadline(
            session, appeal.id, days=10, reason="  ", actor=people["clerk"], notify=CTX
        )
    with pytest.raises(PermissionDenied):
        await workflow.extend_deadline(
            session, appeal.id, days=10, reason="x", actor=people["outsider"], notify=CTX
        )
    await workflow.extend_deadline(
        session, appeal.id, days=30, reason="Нужна экспертиза", actor=people["clerk"], notify=CTX
    )
    await session.commit()
    assert appeal.due_at == T0 + timedelta(days=60) and appeal.extension_reason == "Нужна экспертиза"
    with pytest.raises(InvalidInput) as exc:
        await workflow.extend_deadline(
            session, appeal.id, days=1, reason="Ещё", actor=people["clerk"], notify=CTX
        )
    assert exc.value.message == "The answer deadline has already been extended once."
    notices = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert len(notices) == 2  # registration, extension
    assert "продлён" in notices[1].payload["text"] and "03.04.2026" in notices[1].payload["text"]
    assert "Нужна экспертиза" in notices[1].payload["text"]
    assert ("deadline_extended", None, None) in await _events(session, appeal.id)
    old = (await register(session, tmp_path, now=T0 - timedelta(days=40))).appeal
    answered = (await register(session, tmp_path, now=T0 - timedelta(days=40))).appeal
    fresh = (await register(session, tmp_path, now=T0 - timedelta(days=5))).appeal
    await workflow.answer_appeal(
        session, answered.id, text="Отремонтировано.", actor=people["clerk"], notify=None
    )
    await session.commit()
    # Overdue: still open and past the (possibly extended) due date, at a fixed moment.
    assert await queries.overdue_count(session, T0) == 1
    assert (
        queries.is_overdue(old, T0)
        and not queries.is_overdue(answered, T0)
        and not queries.is_overdue(fresh, T0)
    )
    assert await queries.overdue_count(session, T0 + timedelta(days=26)) == 2
    assert await queries.overdue_count(session, T0 + timedelta(days=61)) == 3
    rows, total = await queries.list_appeals(session, queries.AppealFilters(overdue=True, now=T0), limit=10)
    assert total == 1 and [a.id for a in rows] == [old.id]


async def _finish(session: AsyncSession, people: dict[str, User], assignment_id: int) -> None:
    ex, clerk = people["exec"], people["clerk"]
    for user, action in [(ex, Action.ACKNOWLEDGE), (ex, Action.SUBMIT), (clerk, Action.ACCEPT)]:
        await commands.transition(session, user, assignment_id, action, notify=CTX)
    await session.commit()


async def test_status_follows_assignments_and_the_answer_reaches_telegram(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    await add_account(session, 1001)
    appeal = (await register(session, tmp_path, now=utcnow())).appeal
    deadline = utcnow() + timedelta(days=5)
    first = await workflow.create_assignment_from_appeal(
        session,
        appeal.id,
        workflow.AppealAssignment(title="Засыпать яму", deadline=deadline, executor_id=people["exec"].id),
        actor=people["clerk"],
        notify=CTX,
    )
    second = await commands.create(
        session,
        people["clerk"],
        commands.NewAssignment(
            title="Проверить", deadline=deadline, executor_id=people["exec"].id, appeal_id=appeal.id
        ),
        notify=CTX,
    )
    await session.commit()
    assert first.appeal_id == appeal.id
    assert (await session.get(Appeal, appeal.id)).status == AppealStatus.IN_WORK  # type: ignore[union-attr]
    await _finish(session, people, first.id)
    assert not await queries.ready_to_answer(session, appeal.id)  # the second one is still open
    await _finish(session, people, second.id)
    assert await queries.ready_to_answer(session, appeal.id)
    assert (await session.get(Appeal, appeal.id)).status == AppealStatus.IN_WORK  # type: ignore[union-attr]

    with pytest.raises(InvalidInput):
        await workflow.answer_appeal(session, appeal.id, text=" ", actor=people["clerk"], notify=CTX)
    long_answer = ("Яма засыпана щебнем и заасфальтирована. " * 150).strip()  # ~6000 characters
    await workflow.answer_appeal(session, appeal.id, text=long_answer, actor=people["clerk"], notify=CTX)
    with pytest.raises(InvalidInput):
        await workflow.answer_appeal(session, appeal.id, text="Ещё", actor=people["clerk"], notify=CTX)
    await session.commit()
    assert not await queries.ready_to_answer(session, appeal.id)
    to_resident = (
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == 1001).order_by(OutboxMessage.id)
        )
    ).all()
    texts = [m.payload["text"] for m in to_resident]
    assert "зарегистрировано" in texts[0] and "в работу" in texts[1]
    answer = to_resident[2:]
    assert len(answer) == 2 and all(len(m.payload["text"]) <= 4096 for m in answer)
    assert "Ответ на ваше обращение" in answer[0].payload["text"] and "reply_markup" not in answer[0].payload
    buttons = answer[1].payload["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [f"apl:rate:{appeal.id}:{n}" for n in range(1, 6)]
    assert await _events(session, appeal.id) == [
        ("registered", None, "registered"),
        ("status_changed", "registered", "in_work"),
        ("assignment_created", None, None),
        ("answered", "in_work", "answered"),
    ]


async def test_answer_by_mail_replies_to_the_letter(session: AsyncSession, tmp_path: Path) -> None:
    people = await make_staff(session)
    contact = ContactInput(name="Петров", email="petrov@example.ru")
    appeal = (
        await register(
            session,
            tmp_path,
            channel=AppealChannel.EMAIL,
            contact=contact,
            external_id="<q1@example.ru>",
            reply_to="Petrov.Reply@example.ru",
        )
    ).appeal
    await workflow.answer_appeal(session, appeal.id, text="Двор убран.", actor=people["clerk"], notify=CTX)
    await workflow.close_appeal(session, appeal.id, actor=people["clerk"])
    await session.commit()
    letters = (await session.scalars(select(MailOutbox).order_by(MailOutbox.id))).all()
    answer = letters[1]
    assert answer.subject == f"Обращение № {appeal.reg_number}: ответ"
    assert answer.to_address == "Petrov.Reply@example.ru" and answer.in_reply_to == "<q1@example.ru>"
    assert "Двор убран." in answer.body
    assert appeal.status == AppealStatus.CLOSED and len(letters) == 2  # closing without a notice context


async def test_rating_only_by_the_own_correspondent_once(session: AsyncSession, tmp_path: Path) -> None:
    people = await make_staff(session)
    appeal = (await register(session, tmp_path)).appeal
    with pytest.raises(InvalidInput):  # nothing to rate yet
        await workflow.rate_appeal(session, appeal.id, telegram_id=1001, rating=5)
    await workflow.answer_appeal(session, appeal.id, text="Сделано.", actor=people["clerk"], notify=CTX)
    await session.commit()
    with pytest.raises(NotFound):
        await workflow.rate_appeal(session, appeal.id, telegram_id=2002, rating=5)
    for bad in (0, 6):
        with pytest.raises(InvalidInput):
            await workflow.rate_appeal(session, appeal.id, telegram_id=1001, rating=bad)
    await workflow.rate_appeal(session, appeal.id, telegram_id=1001, rating=4)
    await session.commit()
    with pytest.raises(InvalidInput) as exc:
        await workflow.rate_appeal(session, appeal.id, telegram_id=1001, rating=5)
    assert exc.value.message == "You have already rated this answer."
    assert appeal.rating == 4 and ("rated", None, None) in await _events(session, appeal.id)


async def test_reject_then_close_and_what_the_resident_sees(session: AsyncSession, tmp_path: Path) -> None:
    people = await make_staff(session)
    mine = (await register(session, tmp_path)).appeal
    other = (await register(session, tmp_path, contact=ContactInput(name="Другой", telegram_id=2002))).appeal
    with pytest.raises(PermissionDenied):
        await workflow.reject_appeal(session, mine.id, reason="Нет адреса", actor=people["outsider"])
    with pytest.raises(InvalidInput):
        await workflow.close_appeal(session, mine.id, actor=people["clerk"])  # still open
    await workflow.reject_appeal(
        session, mine.id, reason="Не указан адрес", actor=people["clerk"], notify=CTX
    )
    await workflow.close_appeal(session, mine.id, actor=people["clerk"], notify=CTX)
    await session.commit()
    assert [a.id for a in await queries.appeals_of_telegram_user(session, 1001, limit=5)] == [mine.id]
    assert await queries.appeal_for_telegram_user(session, other.id, 1001) is None
    assert (await queries.appeal_for_telegram_user(session, mine.id, 1001)).status == AppealStatus.CLOSED  # type: ignore[union-attr]
    texts = [
        m.payload["text"]
        for m in (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id == 1001).order_by(OutboxMessage.id)
            )
        ).all()
    ]
    assert "отклонено" in texts[1] and "Не указан адрес" in texts[1] and "закрыто" in texts[2]
    assert (await _events(session, mine.id))[-2:] == [
        ("rejected", "registered", "rejected"),
        ("closed", "rejected", "closed"),
    ]


async def test_panel_search_finds_number_text_and_person(session: AsyncSession, tmp_path: Path) -> None:
    a = (
        await register(
            session,
            tmp_path,
            text="Не горит ФОНАРЬ у школы",
            contact=ContactInput(name="ИВАНОВ Иван", phone="+7 916 123-45-67"),
        )
    ).appeal
    b = (
        await register(
            session,
            tmp_path,
            text="Мусор во дворе",
            contact=ContactInput(name="Петрова", email="petrova@example.ru"),
        )
    ).appeal

    async def found(text: str) -> list[int]:
        rows, _total = await queries.list_appeals(session, queries.AppealFilters(text=text), limit=10)
        return sorted(r.id for r in rows)

    assert await found("фонарь") == [a.id]
    assert await found("иванов") == [a.id]
    assert await found("916 123") == [a.id]
    assert await found("PETROVA@") == [b.id]
    assert await found(b.reg_number) == [b.id]
    assert await queries.appeal_by_number(session, a.reg_number) is not None
