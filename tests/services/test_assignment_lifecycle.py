"""The assignment state machine on a real database: legal paths, refusals, rights, audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment, AuditEvent, User, utcnow
from models.enums import AssignmentStatus as S
from models.enums import Role
from services import staff
from services.assignments import commands, extensions
from services.assignments.lifecycle import Action, allowed_actions
from services.audit import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User]:
    sys = Actor.system("test")
    housing = await staff.create_department(session, sys, "Управление ЖКХ")
    roads = await staff.create_department(session, sys, "Дорожный отдел")
    p = {
        "boss": await staff.create_user(session, sys, full_name="Контролёр", roles=[Role.CONTROLLER]),
        "exec": await staff.create_user(session, sys, full_name="Исполнитель", department_id=housing.id),
        "other": await staff.create_user(session, sys, full_name="Чужой", department_id=roads.id),
        "head": await staff.create_user(session, sys, full_name="Начальник", department_id=housing.id),
        "manager": await staff.create_user(session, sys, full_name="Руководитель", roles=[Role.MANAGER]),
    }
    await staff.set_department_head(session, sys, housing.id, p["head"].id)
    await session.commit()
    return p


async def _new(session: AsyncSession, people: dict[str, User]) -> int:
    a = await commands.create(
        session,
        people["boss"],
        commands.NewAssignment(
            title="Убрать снег у школы № 3",
            deadline=utcnow() + timedelta(days=2),
            executor_id=people["exec"].id,
        ),
    )
    await session.commit()
    return a.id


async def test_full_path_with_return_and_audit(session: AsyncSession, people: dict[str, User]) -> None:
    aid = await _new(session, people)
    ex, boss = people["exec"], people["boss"]
    for user, action in [(ex, Action.ACKNOWLEDGE), (ex, Action.START), (ex, Action.SUBMIT)]:
        await commands.transition(session, user, aid, action)
    await commands.transition(session, boss, aid, Action.RETURN, reason="Нет фото")
    a = await commands.transition(session, ex, aid, Action.SUBMIT)
    assert a.status == S.ON_REVIEW and a.returns_count == 1
    a = await commands.transition(session, boss, aid, Action.ACCEPT)
    await session.commit()
    assert a.status == S.DONE and a.done_at is not None
    events = (
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == aid)
            .order_by(AuditEvent.id)
        )
    ).all()
    assert [(e.action, e.old_state, e.new_state) for e in events] == [
        ("created", None, "new"),
        ("acknowledge", "new", "acknowledged"),
        ("start", "acknowledged", "in_progress"),
        ("submit", "in_progress", "on_review"),
        ("return", "on_review", "returned"),
        ("submit", "returned", "on_review"),
        ("accept", "on_review", "done"),
    ]
    assert events[4].reason == "Нет фото" and events[4].actor_user_id == boss.id


async def test_illegal_transitions_and_rights_are_refused(
    session: AsyncSession, people: dict[str, User]
) -> None:
    aid = await _new(session, people)
    with pytest.raises(InvalidInput):  # cannot accept what was never reported
        await commands.transition(session, people["boss"], aid, Action.ACCEPT)
    with pytest.raises(PermissionDenied):  # only the executor acknowledges
        await commands.transition(session, people["other"], aid, Action.ACKNOWLEDGE)
    with pytest.raises(PermissionDenied):  # the executor cannot accept his own work
        await commands.transition(session, people["exec"], aid, Action.ACCEPT)
    with pytest.raises(InvalidInput):  # returning and declining need a reason
        await commands.transition(session, people["exec"], aid, Action.DECLINE, reason="  ")
    with pytest.raises(NotFound):  # another department does not even see it
        await commands.load_visible(session, aid, people["other"])
    assert (await commands.load_visible(session, aid, people["head"])).id == aid
    assert (await commands.load_visible(session, aid, people["manager"])).id == aid


async def test_double_press_is_applied_once(session: AsyncSession, people: dict[str, User]) -> None:
    aid = await _new(session, people)
    await commands.transition(session, people["exec"], aid, Action.ACKNOWLEDGE, expected_status=S.NEW)
    with pytest.raises(InvalidInput):
        await commands.transition(session, people["exec"], aid, Action.ACKNOWLEDGE, expected_status=S.NEW)


async def test_change_by_another_process_meanwhile_is_a_refusal(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], people: dict[str, User]
) -> None:
    """Two writers: ours read the row before the other committed. The version check catches it and
    the service refuses like a stale button (no SQLAlchemy error reaches the caller)."""
    aid = await _new(session, people)
    ours = await commands.load(session, aid)  # our copy, soon outdated (kept in the identity map)
    async with session_factory() as other:
        executor = await other.get(User, people["exec"].id)
        assert executor is not None
        await commands.transition(other, executor, aid, Action.DECLINE, reason="Не наша компетенция")
        await other.commit()
    with pytest.raises(InvalidInput) as refused:
        await commands.transition(session, people["exec"], aid, Action.ACKNOWLEDGE)
    assert refused.value.message == "This assignment has already changed; here is its current state."
    # The session is usable again and sees the other writer's change.
    assert (await commands.load(session, aid)).status == S.DECLINED == ours.status


async def test_decline_then_reassign(session: AsyncSession, people: dict[str, User]) -> None:
    aid = await _new(session, people)
    a = await commands.transition(session, people["exec"], aid, Action.DECLINE, reason="Не наша компетенция")
    assert a.status == S.DECLINED
    a = await commands.reassign(session, people["boss"], aid, people["other"].id)
    assert (a.status, a.executor_id) == (S.NEW, people["other"].id)


async def test_extension_approve_and_reject(session: AsyncSession, people: dict[str, User]) -> None:
    aid = await _new(session, people)
    a = await commands.load(session, aid)
    old = a.deadline
    req = await extensions.request_extension(
        session, people["exec"], aid, old + timedelta(days=3), "Ждём подрядчика"
    )
    with pytest.raises(InvalidInput):  # one pending request at a time
        await extensions.request_extension(session, people["exec"], aid, old + timedelta(days=4), "ещё")
    with pytest.raises(PermissionDenied):
        await extensions.decide_extension(session, people["exec"], req.id, approve=True)
    await extensions.decide_extension(session, people["boss"], req.id, approve=True)
    assert (await commands.load(session, aid)).deadline == old + timedelta(days=3)
    req2 = await extensions.request_extension(
        session, people["exec"], aid, old + timedelta(days=9), "Ещё неделю"
    )
    await extensions.decide_extension(session, people["boss"], req2.id, approve=False, reason="Нет")
    assert (await commands.load(session, aid)).deadline == old + timedelta(days=3)
    with pytest.raises(InvalidInput):
        await extensions.decide_extension(session, people["boss"], req2.id, approve=True)


async def _to_exec_department(session: AsyncSession, people: dict[str, User], title: str) -> Assignment:
    """Addressed by the boss to the executor's department, not to a person."""
    return await commands.create(
        session,
        people["boss"],
        commands.NewAssignment(
            title=title, deadline=utcnow() + timedelta(days=1), department_id=people["exec"].department_id
        ),
    )


async def test_department_addressed_assignment_goes_to_its_head(
    session: AsyncSession, people: dict[str, User]
) -> None:
    a = await _to_exec_department(session, people, "Проверить подвал")
    assert a.executor_id == people["head"].id


def test_allowed_actions_per_state() -> None:
    assert allowed_actions(S.ON_REVIEW) == [Action.ACCEPT, Action.RETURN, Action.CANCEL]
    assert Action.SUBMIT in allowed_actions(S.RETURNED)
    assert allowed_actions(S.DONE) == []


async def test_department_head_delegates_to_a_subordinate(
    session: AsyncSession, people: dict[str, User]
) -> None:
    a = await _to_exec_department(session, people, "Обследовать двор")
    assert a.executor_id == people["head"].id
    a = await commands.reassign(
        session, people["head"], a.id, people["exec"].id, reason="Поручаю Исполнителю"
    )
    assert (a.executor_id, a.status) == (people["exec"].id, S.NEW)
    with pytest.raises(PermissionDenied):  # an ordinary executor cannot hand work around
        await commands.reassign(session, people["exec"], a.id, people["other"].id)
