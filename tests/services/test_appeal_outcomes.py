"""The article 11 outcome services on their own: the 7-day notice deadline on a frozen clock, who may
decide (clerk, manager; stopping correspondence: manager only), the scope, the open state, open
assignments taken over only with an audited reason, and the earlier appeals a decision rests on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AuditEvent, Category, User, utcnow
from models.enums import Role
from services import staff
from services.appeals import links, outcomes, outcomes_stop, workflow
from services.appeals.intake import ContactInput
from services.appeals.outcome_texts import LetterText
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.letters.issue import LetterEnv
from tests.services.appeals_helpers import CTX, SYSTEM, register

REGISTERED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LETTER = LetterText("О вашем обращении", "Текст письма.")
PERSON = ContactInput(name="Иванов Иван", telegram_id=1001, postal_address="ул. Мира, 1")


def env(tmp_path: Path, now: datetime | None = None) -> outcomes.OutcomeEnv:
    return outcomes.OutcomeEnv(LetterEnv(tmp_path, ZoneInfo("Europe/Moscow")), CTX, now=now)


async def _people(session: AsyncSession) -> dict[str, User]:
    roads = await staff.create_department(session, SYSTEM, "Дороги")
    housing = await staff.create_department(session, SYSTEM, "ЖКХ")
    people = {
        "clerk": await staff.create_user(
            session, SYSTEM, full_name="Секретарь ЖКХ", roles=[Role.CLERK], department_id=housing.id
        ),
        "roads_clerk": await staff.create_user(
            session, SYSTEM, full_name="Секретарь дорог", roles=[Role.CLERK], department_id=roads.id
        ),
        "manager": await staff.create_user(session, SYSTEM, full_name="Начальник", roles=[Role.MANAGER]),
        "executor": await staff.create_user(
            session, SYSTEM, full_name="Исполнитель", department_id=housing.id
        ),
    }
    session.add(Category(code="housing", name_ru="ЖКХ", name_en="Housing", department_id=housing.id))
    await session.commit()
    return people


async def _appeal(
    session: AsyncSession, tmp_path: Path, *, now: datetime = REGISTERED, **kw: object
) -> Appeal:
    category = await session.scalar(select(Category).where(Category.code == "housing"))
    assert category is not None
    result = await register(session, tmp_path, contact=PERSON, category_id=category.id, now=now, **kw)
    return result.appeal


async def _rollback(session: AsyncSession, *objects: object) -> None:
    """Roll back a refused attempt and reload what the test goes on using."""
    await session.rollback()
    for obj in objects:
        await session.refresh(obj)


async def _event(session: AsyncSession, appeal_id: int, action: str) -> AuditEvent:
    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.entity_id == appeal_id, AuditEvent.action == action)
    )
    assert event is not None, action
    return event


# 7 days from Monday 2 March 2026 is Monday 9 March, the day off for Women's Day (8 March is a
# Sunday): the term ends on the preceding working day, Friday 6 March, at the hour of registration.
NOTICE_DUE = REGISTERED + timedelta(days=4)


@pytest.mark.parametrize(
    ("after", "late"),
    [(timedelta(days=4) - timedelta(minutes=1), False), (timedelta(days=4, seconds=1), True)],
)
async def test_the_unreadable_notice_is_due_7_days_after_registration_on_a_working_day(
    session: AsyncSession, tmp_path: Path, after: timedelta, late: bool
) -> None:
    people = await _people(session)
    appeal = await _appeal(session, tmp_path)
    due = NOTICE_DUE
    # Without the calendar (no terms): plain calendar days.
    assert outcomes.unreadable_notice_due(appeal) == REGISTERED + timedelta(days=7)
    result = await outcomes.leave_unreadable(
        session,
        appeal.id,
        actor=people["clerk"],
        env=env(tmp_path, now=REGISTERED + after),
        notify_applicant=True,
        letter=LETTER,
    )
    await session.commit()
    assert (result.appeal.status, result.appeal.outcome) == ("closed", "unreadable")
    assert result.letter is not None and result.letter.issued_at == REGISTERED + after
    event = await _event(session, appeal.id, "outcome_unreadable")
    assert event.data["late"] is late
    assert event.data["notice_due_at"] == due.isoformat()
    assert result.notices == 2  # the Telegram text and the letter's PDF


async def test_unreadable_without_a_readable_address_closes_without_a_letter(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await _people(session)
    appeal = await _appeal(session, tmp_path)
    result = await outcomes.leave_unreadable(
        session, appeal.id, actor=people["clerk"], env=env(tmp_path), notify_applicant=False
    )
    assert result.letter is None and result.notices == 0
    assert (await _event(session, appeal.id, "outcome_unreadable")).data["notice"] is False


async def test_rights_are_checked_in_the_service(session: AsyncSession, tmp_path: Path) -> None:
    people = await _people(session)
    appeal = await _appeal(session, tmp_path)
    # A clerk of another department does not see the appeal: the same answer as for a missing one.
    with pytest.raises(NotFound):
        await outcomes.leave_abusive(
            session, appeal.id, actor=people["roads_clerk"], env=env(tmp_path), letter=LETTER
        )
    with pytest.raises(NotFound):
        await links.mark_repeat(session, appeal.id, appeal.id, actor=people["roads_clerk"])
    # Staff without a clerk's or manager's role may not decide at all.
    with pytest.raises(PermissionDenied):
        await outcomes.leave_anonymous(session, appeal.id, actor=people["executor"], env=env(tmp_path))
    # Stopping correspondence is the head's (a manager's) decision, never a clerk's.
    with pytest.raises(PermissionDenied):
        await outcomes_stop.stop_correspondence(
            session,
            appeal.id,
            actor=people["clerk"],
            env=env(tmp_path),
            earlier_ids=[],
            reason="Повтор",
            letter=LETTER,
        )
    # Once closed, nothing more can be decided.
    await outcomes.leave_anonymous(session, appeal.id, actor=people["clerk"], env=env(tmp_path))
    await session.commit()
    with pytest.raises(InvalidInput, match="no longer open"):
        await outcomes.leave_abusive(
            session, appeal.id, actor=people["clerk"], env=env(tmp_path), letter=LETTER
        )


async def test_open_assignments_need_an_audited_override(session: AsyncSession, tmp_path: Path) -> None:
    people = await _people(session)
    appeal = await _appeal(session, tmp_path)
    assignment = await workflow.create_assignment_from_appeal(
        session,
        appeal.id,
        workflow.AppealAssignment(deadline=utcnow() + timedelta(days=5), executor_id=people["executor"].id),
        actor=people["clerk"],
    )
    await session.commit()
    with pytest.raises(workflow.AssignmentsStillOpen):
        await outcomes.leave_abusive(
            session, appeal.id, actor=people["clerk"], env=env(tmp_path), letter=LETTER
        )
    await _rollback(session, appeal, *people.values())
    await outcomes.leave_abusive(
        session,
        appeal.id,
        actor=people["clerk"],
        env=env(tmp_path),
        letter=LETTER,
        override_reason="Оскорбления в адрес исполнителя",
    )
    await session.commit()
    event = await _event(session, appeal.id, "outcome_abusive")
    assert event.data["open_assignment_ids"] == [assignment.id]
    assert event.reason == "Оскорбления в адрес исполнителя"


async def test_stopping_correspondence_rests_on_answered_appeals_of_the_same_person(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await _people(session)
    earlier = []
    for days in (200, 100):
        old = await _appeal(session, tmp_path, now=REGISTERED - timedelta(days=days))
        await workflow.answer_appeal(session, old.id, text="Ответ", actor=people["clerk"], notify=None)
        earlier.append(old)
    unanswered = await _appeal(session, tmp_path, now=REGISTERED - timedelta(days=50))
    stranger = (
        await register(
            session,
            tmp_path,
            contact=ContactInput(name="Другой", telegram_id=2002),
            now=REGISTERED - timedelta(days=9),
        )
    ).appeal
    await workflow.answer_appeal(session, stranger.id, text="Ответ", actor=people["clerk"], notify=None)
    current = await _appeal(session, tmp_path)
    await session.commit()
    assert [a.id for a in await outcomes_stop.answered_earlier(session, current)] == [
        e.id for e in earlier[::-1]
    ]

    async def stop(ids: list[int]) -> outcomes.OutcomeResult:
        return await outcomes_stop.stop_correspondence(
            session, current.id, actor=people["manager"], env=env(tmp_path), earlier_ids=ids,
            reason="Ремонт крыши: новых доводов нет", letter=LETTER,
        )  # fmt: skip

    for ids in ([earlier[0].id, unanswered.id], [earlier[0].id, stranger.id], [earlier[0].id]):
        with pytest.raises(InvalidInput):
            await stop(ids)
        await _rollback(session, current, *earlier, *people.values())
    result = await stop([e.id for e in earlier])
    await session.commit()
    assert result.appeal.outcome == "correspondence_stopped" and result.notices == 2
    event = await _event(session, current.id, "outcome_correspondence_stopped")
    assert event.data["earlier_ids"] == [e.id for e in earlier]
    later = await _appeal(session, tmp_path, now=REGISTERED + timedelta(days=3))
    warning = await outcomes_stop.stop_warning(session, later)
    assert warning is not None
    assert (warning.decided_by_id, warning.appeal_id) == (people["manager"].id, current.id)
    assert warning.note == "Ремонт крыши: новых доводов нет"
    assert await outcomes_stop.stop_warning(session, current) is None
