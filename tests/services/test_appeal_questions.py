"""The questions of an appeal: the first made at registration with the topic's default code, more
added, coded, decided with measures and removed (never the last) by staff in scope only; the answer
rule (every question decided) and the rows the ССТУ report reads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Category
from models.enums import AppealStatus, QuestionResult, Role
from services import staff
from services.appeals import classifier, questions, workflow
from services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.appeals_helpers import SYSTEM, make_staff, register

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CSV = """code;name
0003;Экономика
0003.0009;Хозяйственная деятельность
0003.0009.0096;Дорожное хозяйство
0003.0009.0096.0511;Ремонт дорог, ямы
0003.0009.0096.0514;Светофоры и знаки
0003.0011;Благоустройство
0003.0011.0120;Благоустройство территорий
0003.0011.0120.0604;Уличное освещение
"""
ROADS, SIGNS, LIGHTS = "0003.0009.0096.0511", "0003.0009.0096.0514", "0003.0011.0120.0604"


async def _setup(session: AsyncSession, tmp_path: Path) -> tuple[dict, int]:
    people = await make_staff(session)
    report = await classifier.load_trusted(session, CSV.encode(), filename="k.csv", actor=SYSTEM)
    assert report.loaded
    roads = Category(code="roads", name_ru="Дороги", name_en="Roads", answer_days=30, classifier_code=ROADS)
    session.add(roads)
    await session.commit()
    appeal = (
        await register(
            session, tmp_path, text="Яма на дороге у дома 5, и не горит фонарь", category_id=roads.id
        )
    ).appeal
    return people, appeal.id


async def test_first_question_at_registration_then_several_decided(
    session: AsyncSession, tmp_path: Path
) -> None:
    people, appeal_id = await _setup(session, tmp_path)
    clerk = people["clerk"]
    [first] = await questions.of_appeal(session, appeal_id)
    assert (first.position, first.classifier_code, first.result) == (1, ROADS, None)
    assert first.text == "Яма на дороге у дома 5, и не горит фонарь"

    second = await questions.add_question(
        session, appeal_id, questions.QuestionInput("Не горит фонарь", LIGHTS), actor=clerk
    )
    third = await questions.add_question(
        session, appeal_id, questions.QuestionInput("Знак упал", SIGNS), actor=clerk
    )
    await session.commit()
    assert [q.position for q in await questions.of_appeal(session, appeal_id)] == [1, 2, 3]

    # A code must be an active question of the classifier (not a section, not invented).
    for bad in ("0003.0009", "0003.0009.0096.9999"):
        with pytest.raises(InvalidInput) as exc:
            await questions.add_question(session, appeal_id, questions.QuestionInput("x", bad), actor=clerk)
        assert exc.value.params["field"] == "classifier_code"

    with pytest.raises(InvalidInput) as exc:
        await questions.require_results(session, appeal_id)
    assert exc.value.params == {"positions": "1, 2, 3"}

    # Measures are required when a supported question says measures were taken.
    with pytest.raises(InvalidInput) as exc:
        await questions.set_result(
            session,
            first.id,
            questions.ResultInput(QuestionResult.SUPPORTED, measures_taken=True),
            actor=clerk,
        )
    assert exc.value.params["field"] == "measures"
    with pytest.raises(InvalidInput):  # "transferred" belongs to the redirection
        await questions.set_result(session, first.id, questions.ResultInput("transferred"), actor=clerk)
    await questions.set_result(
        session,
        first.id,
        questions.ResultInput(QuestionResult.SUPPORTED, measures_taken=True, measures="Яма засыпана 3 марта"),
        actor=clerk,
        now=T0,
    )
    await questions.set_result(
        session,
        second.id,
        questions.ResultInput(QuestionResult.EXPLAINED, measures_taken=True),
        actor=clerk,
        now=T0,
    )
    await session.commit()
    assert [q.position for q in await questions.unresolved(session, appeal_id)] == [3]
    with pytest.raises(InvalidInput) as exc:
        await questions.require_results(session, appeal_id)
    assert exc.value.params == {"positions": "3"}

    # Removing the second moves the third up; the last one can never go.
    await questions.remove_question(session, second.id, actor=clerk)
    await session.commit()
    left = await questions.of_appeal(session, appeal_id)
    assert [(q.position, q.classifier_code) for q in left] == [(1, ROADS), (2, SIGNS)]
    await questions.set_result(
        session, third.id, questions.ResultInput(QuestionResult.NOT_SUPPORTED), actor=clerk, now=T0
    )
    await questions.change_question(
        session, third.id, questions.QuestionInput("Упал дорожный знак", SIGNS), actor=clerk
    )
    await session.commit()
    await questions.require_results(session, appeal_id)  # all decided: passes

    rows = (await questions.results_for_export(session, [appeal_id]))[appeal_id]
    assert rows == [
        questions.QuestionRow(1, ROADS, "Ремонт дорог, ямы", "supported", True, "Яма засыпана 3 марта", T0),
        questions.QuestionRow(2, SIGNS, "Светофоры и знаки", "not_supported", False, None, T0),
    ]
    actions = (
        await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "appeal", AuditEvent.entity_id == appeal_id)
            .order_by(AuditEvent.id)
        )
    ).all()
    assert actions == [
        "registered",
        "question_added",
        "question_added",
        "question_result",
        "question_result",
        "question_removed",
        "question_result",
        "question_changed",
    ]


async def test_last_question_stays_and_states_limit_changes(session: AsyncSession, tmp_path: Path) -> None:
    people, appeal_id = await _setup(session, tmp_path)
    clerk = people["clerk"]
    [first] = await questions.of_appeal(session, appeal_id)
    with pytest.raises(InvalidInput):
        await questions.remove_question(session, first.id, actor=clerk)

    appeal = await session.get(questions.Appeal, appeal_id)
    assert appeal is not None
    appeal.status = AppealStatus.ANSWERED
    await session.commit()
    # Answered: no more results or new questions, but a code may still be corrected for the report.
    with pytest.raises(InvalidInput):
        await questions.set_result(session, first.id, questions.ResultInput("explained"), actor=clerk)
    with pytest.raises(InvalidInput):
        await questions.add_question(session, appeal_id, questions.QuestionInput("ещё", ROADS), actor=clerk)
    await questions.change_question(session, first.id, questions.QuestionInput("Яма", SIGNS), actor=clerk)
    await session.commit()
    appeal.status = AppealStatus.CLOSED
    await session.commit()
    with pytest.raises(InvalidInput):
        await questions.change_question(session, first.id, questions.QuestionInput("Яма", ROADS), actor=clerk)


async def test_rights_outsider_and_department_clerk_scope(session: AsyncSession, tmp_path: Path) -> None:
    people, appeal_id = await _setup(session, tmp_path)
    [first] = await questions.of_appeal(session, appeal_id)
    with pytest.raises(PermissionDenied):
        await questions.add_question(
            session, appeal_id, questions.QuestionInput("x", ROADS), actor=people["outsider"]
        )
    with pytest.raises(PermissionDenied):
        await questions.set_result(
            session, first.id, questions.ResultInput("explained"), actor=people["exec"]
        )
    # A clerk of another department does not see this appeal (its topic is the roads department's).
    roads = await staff.create_department(session, SYSTEM, "Дорожный отдел")
    parks = await staff.create_department(session, SYSTEM, "Отдел парков")
    category = await session.scalar(select(Category).where(Category.code == "roads"))
    assert category is not None
    category.department_id = roads.id
    road_clerk = await staff.create_user(
        session, SYSTEM, full_name="Дорожный секретарь", roles=[Role.CLERK], department_id=roads.id
    )
    park_clerk = await staff.create_user(
        session, SYSTEM, full_name="Секретарь парков", roles=[Role.CLERK], department_id=parks.id
    )
    await session.commit()
    with pytest.raises(NotFound):
        await questions.set_result(session, first.id, questions.ResultInput("explained"), actor=park_clerk)
    await questions.set_result(session, first.id, questions.ResultInput("explained"), actor=road_clerk)
    await session.commit()
    assert (await questions.of_appeal(session, appeal_id))[0].result == "explained"


async def test_settled_in_bulk_transferred_by_the_redirection_and_codes_for_lists(
    session: AsyncSession, tmp_path: Path
) -> None:
    people, appeal_id = await _setup(session, tmp_path)
    await questions.add_question(
        session, appeal_id, questions.QuestionInput("Фонарь", LIGHTS), actor=people["clerk"]
    )
    await questions.add_question(
        session, appeal_id, questions.QuestionInput("Без кода"), actor=people["clerk"]
    )
    await session.commit()
    assert await questions.codes_by_appeal(session, [appeal_id]) == {appeal_id: [ROADS, LIGHTS]}
    [first, *_rest] = await questions.of_appeal(session, appeal_id)
    await questions.set_result(session, first.id, questions.ResultInput("explained"), actor=people["clerk"])
    with pytest.raises(InvalidInput):
        await questions.settle_unresolved(session, appeal_id, "transferred", actor=people["clerk"])
    assert await questions.settle_unresolved(session, appeal_id, "answered", actor=people["clerk"]) == 2
    await session.commit()
    assert [q.result for q in await questions.of_appeal(session, appeal_id)] == [
        "explained",
        "answered",
        "answered",
    ]
    for q in await questions.of_appeal(session, appeal_id):
        q.result = None
    await session.commit()
    assert await questions.mark_transferred(session, appeal_id, actor=SYSTEM, now=T0) == 3
    await session.commit()
    assert {q.result for q in await questions.of_appeal(session, appeal_id)} == {"transferred"}


async def test_the_answer_settles_undecided_questions_and_keeps_the_clerks_results(
    session: AsyncSession, tmp_path: Path
) -> None:
    people, appeal_id = await _setup(session, tmp_path)
    clerk = people["clerk"]
    [first] = await questions.of_appeal(session, appeal_id)
    second = await questions.add_question(
        session, appeal_id, questions.QuestionInput("Не горит фонарь", LIGHTS), actor=clerk
    )
    await questions.set_result(
        session, first.id, questions.ResultInput(QuestionResult.EXPLAINED), actor=clerk
    )
    await session.commit()

    await workflow.answer_appeal(
        session, appeal_id, text="Разъясняем порядок ремонта.", actor=clerk, notify=None, now=T0
    )
    await session.commit()

    results = {q.position: (q.result, q.decided_by_id) for q in await questions.of_appeal(session, appeal_id)}
    # The clerk's own result stays; the undecided one is «answered» (ССТУ «Дан ответ автору»).
    assert results == {1: (QuestionResult.EXPLAINED, clerk.id), 2: (QuestionResult.ANSWERED, clerk.id)}
    assert second.position == 2
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "answered"))
    assert event is not None and event.data["questions_answered"] == [2]
    await questions.require_results(session, appeal_id)  # nothing left undecided
