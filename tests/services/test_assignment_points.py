"""Multi-point assignments: the parent's state follows its points, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AuditEvent, OutboxMessage, User, utcnow
from models.enums import AssignmentStatus as S
from models.enums import Role
from services import staff
from services.assignments import commands, control, extensions, points, queries
from services.assignments.lifecycle import Action
from services.audit import Actor
from services.errors import InvalidInput
from services.notify import NoticeContext


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User]:
    sys = Actor.system("test")
    housing = await staff.create_department(session, sys, "Управление ЖКХ")
    p = {
        "boss": await staff.create_user(
            session, sys, full_name="Контролёр", roles=[Role.CONTROLLER], telegram_id=701
        ),
        "a": await staff.create_user(session, sys, full_name="Иванов", telegram_id=702),
        "b": await staff.create_user(session, sys, full_name="Петров", telegram_id=703),
        "head": await staff.create_user(session, sys, full_name="Начальник", department_id=housing.id),
        "co": await staff.create_user(session, sys, full_name="Соисполнитель"),
    }
    await staff.set_department_head(session, sys, housing.id, p["head"].id)
    p["dept"] = housing  # type: ignore[assignment]
    await session.commit()
    return p


async def _parent(
    session: AsyncSession, people: dict[str, User], ctx: NoticeContext | None = None
) -> Assignment:
    now = utcnow()
    parent = await points.create(
        session,
        people["boss"],
        points.NewParent(
            title="Подготовка к зиме",
            text="Резолюция главы",
            points=[
                points.NewPoint("Закупить соль", now + timedelta(days=2), executor_id=people["a"].id),
                points.NewPoint(
                    "Проверить котельные",
                    now + timedelta(days=5),
                    department_id=people["dept"].id,  # type: ignore[attr-defined]
                    co_executor_ids=(people["co"].id,),
                ),
            ],
        ),
        notify=ctx,
    )
    await session.commit()
    return parent


async def _points(session: AsyncSession, parent: Assignment) -> list[Assignment]:
    return list(
        (
            await session.scalars(
                select(Assignment).where(Assignment.parent_id == parent.id).order_by(Assignment.point_no)
            )
        ).all()
    )


async def _events(session: AsyncSession, aid: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == aid)
    return list((await session.scalars(query.order_by(AuditEvent.id))).all())


async def _state(session: AsyncSession, aid: int) -> Assignment:
    a = await session.get(Assignment, aid)
    assert a is not None
    await session.refresh(a)
    return a


async def test_points_drive_the_parent_return_then_done_once(
    session: AsyncSession, people: dict[str, User]
) -> None:
    ctx = NoticeContext()
    parent = await _parent(session, people, ctx)
    first, second = await _points(session, parent)
    assert parent.executor_id is None and parent.deadline == second.deadline
    assert (first.point_no, second.point_no) == (1, 2)
    # A department's point goes to its head, the co-executor is attached; both executors got a card.
    assert second.executor_id == people["head"].id
    cards = (await session.scalars(select(OutboxMessage.chat_id))).all()
    assert 702 in cards and parent.status == S.NEW

    boss, a, head = people["boss"], people["a"], people["head"]
    with pytest.raises(InvalidInput) as refused:
        await commands.transition(session, boss, parent.id, Action.ACCEPT)
    assert refused.value.message == points.parent_state.PARENT_ACTS_ON_POINTS

    await commands.transition(session, a, first.id, Action.ACKNOWLEDGE, notify=ctx)
    assert (await _state(session, parent.id)).status == S.IN_PROGRESS
    await commands.transition(session, a, first.id, Action.SUBMIT, notify=ctx)
    await commands.transition(session, boss, first.id, Action.RETURN, reason="Мало соли", notify=ctx)
    await session.commit()
    assert (await _state(session, parent.id)).status == S.IN_PROGRESS
    await commands.transition(session, a, first.id, Action.SUBMIT, notify=ctx)
    await commands.transition(session, boss, first.id, Action.ACCEPT, notify=ctx)
    assert (await _state(session, parent.id)).status == S.IN_PROGRESS
    await commands.transition(session, head, second.id, Action.ACKNOWLEDGE, notify=ctx)
    await commands.transition(session, head, second.id, Action.SUBMIT, notify=ctx)
    last = await commands.transition(session, boss, second.id, Action.ACCEPT, notify=ctx)
    await session.commit()

    done = await _state(session, parent.id)
    assert done.status == S.DONE and done.done_at == last.done_at
    actions = [(e.action, e.actor_label) for e in await _events(session, parent.id)]
    assert actions == [("created", None), ("points_started", "points"), ("points_done", "points")]
    told = (
        await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == 701, OutboxMessage.dedup_key.like(f"asg:{parent.id}:%")
            )
        )
    ).all()
    assert len(told) == 1 and "Все пункты выполнены" in told[0].payload["text"]
    assert "Пункты: 2/2 выполнено" in told[0].payload["text"]


async def test_cancel_parent_cascades_and_all_points_cancelled(
    session: AsyncSession, people: dict[str, User]
) -> None:
    boss = people["boss"]
    parent = await _parent(session, people)
    first, second = await _points(session, parent)
    await commands.transition(session, people["a"], first.id, Action.ACKNOWLEDGE)
    await commands.transition(session, people["a"], first.id, Action.SUBMIT)
    await commands.transition(session, boss, first.id, Action.ACCEPT)
    await commands.transition(session, boss, parent.id, Action.CANCEL, reason="Отменено главой")
    await session.commit()
    assert (await _state(session, parent.id)).status == S.CANCELLED
    assert (await _state(session, first.id)).status == S.DONE  # a done point stays done
    cancelled = await _state(session, second.id)
    assert cancelled.status == S.CANCELLED
    assert (await _events(session, second.id))[-1].reason == "Отменено главой"

    # Every point cancelled one by one: the parent follows.
    other = await _parent(session, people)
    for point in await _points(session, other):
        await commands.transition(session, boss, point.id, Action.CANCEL, reason="Не нужно")
    await session.commit()
    assert (await _state(session, other.id)).status == S.CANCELLED


async def test_add_point_deadlines_and_lists(session: AsyncSession, people: dict[str, User]) -> None:
    boss, a = people["boss"], people["a"]
    boss_id, a_id = boss.id, a.id
    parent = await _parent(session, people)
    parent_id = parent.id
    with pytest.raises(InvalidInput):
        await points.add_point(
            session,
            boss,
            parent.id,
            points.NewPoint("Поздно", parent.deadline + timedelta(days=1), executor_id=a.id),
        )
    third = await points.add_point(
        session,
        boss,
        parent.id,
        points.NewPoint("Закупить песок", parent.deadline, executor_id=people["b"].id),
    )
    await session.commit()
    assert third.point_no == 3 and third.parent_id == parent.id
    # The parent may not move before its points' deadline; a point may not pass the parent's.
    with pytest.raises(InvalidInput):
        await control.change_deadline(session, boss, parent.id, parent.deadline - timedelta(days=1))
    with pytest.raises(InvalidInput):
        await control.change_deadline(session, boss, third.id, parent.deadline + timedelta(hours=1))
    await session.rollback()
    boss, a = await session.get(User, boss_id), await session.get(User, a_id)
    assert boss is not None and a is not None

    now = utcnow()
    mine = await queries.my_assignments(session, a, now=now)
    labels = await points.parent_state.point_labels(session, list(mine.items))
    assert [x.title for x in mine.items] == ["Закупить соль"]
    assert labels[mine.items[0].id] == (1, 3, "Подготовка к зиме")
    ctl = await queries.under_control(session, boss, now=now)
    assert [x.id for x in ctl.items] == [parent_id]


async def test_point_extension_stays_within_the_parent(
    session: AsyncSession, people: dict[str, User]
) -> None:
    """An executor may ask more time for a point, but the approval may not carry it past the whole
    assignment's deadline: the controller moves that first, then approves."""
    boss_id, a = people["boss"].id, people["a"]
    parent = await _parent(session, people)
    parent_id = parent.id
    salt_id = (await _points(session, parent))[0].id
    late = parent.deadline + timedelta(days=2)
    await commands.transition(session, a, salt_id, Action.ACKNOWLEDGE)
    request = await extensions.request_extension(session, a, salt_id, late, "Соль ещё не привезли")
    request_id = request.id
    await session.commit()
    boss = await session.get(User, boss_id)
    assert boss is not None
    with pytest.raises(InvalidInput) as refused:
        await extensions.decide_extension(session, boss, request_id, approve=True)
    assert refused.value.message == "The deadline of a point cannot be later than the assignment's."
    await session.rollback()
    boss = await session.get(User, boss_id)
    assert boss is not None
    await control.change_deadline(session, boss, parent_id, late)
    decided = await extensions.decide_extension(session, boss, request_id, approve=True)
    await session.commit()
    assert decided.status == "approved" and (await _state(session, salt_id)).deadline == late
