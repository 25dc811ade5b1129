"""Checklists on a real database: who writes and ticks them, the audit trail, «all ticked» rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AssignmentMember, AuditEvent, ChecklistItem, ServiceRequest, User, utcnow
from models.enums import AssignmentStatus as S
from models.enums import MemberRole, Role, ServiceStatus
from services import checklists, staff
from services.assignments import commands, reports
from services.assignments.lifecycle import Action
from services.audit import Actor
from services.checklists import edit
from services.errors import InvalidInput, NotFound, PermissionDenied


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User]:
    sys = Actor.system("test")
    housing = await staff.create_department(session, sys, "Управление ЖКХ")
    roads = await staff.create_department(session, sys, "Дорожный отдел")
    p = {
        "boss": await staff.create_user(session, sys, full_name="Контролёр", roles=[Role.CONTROLLER]),
        "exec": await staff.create_user(session, sys, full_name="Исполнитель", department_id=housing.id),
        "co": await staff.create_user(session, sys, full_name="Соисполнитель", department_id=housing.id),
        "other": await staff.create_user(session, sys, full_name="Чужой", department_id=roads.id),
        "manager": await staff.create_user(session, sys, full_name="Руководитель", roles=[Role.MANAGER]),
    }
    p["housing"] = housing  # type: ignore[assignment]
    await session.commit()
    return p


async def _assignment(session: AsyncSession, people: dict[str, User]) -> int:
    a = await commands.create(
        session,
        people["boss"],
        commands.NewAssignment(
            title="Подготовить школу к зиме",
            deadline=utcnow() + timedelta(days=2),
            executor_id=people["exec"].id,
            co_executor_ids=(people["co"].id,),
        ),
    )
    await session.commit()
    return a.id


async def _audit(session: AsyncSession, entity: str, eid: int) -> list[tuple[str, int | None]]:
    rows = await session.execute(
        select(AuditEvent.action, AuditEvent.actor_user_id)
        .where(AuditEvent.entity_type == entity, AuditEvent.entity_id == eid)
        .order_by(AuditEvent.id)
    )
    return [(a, u) for a, u in rows if a.startswith("checklist")]


async def test_assignment_rights_and_audit(session: AsyncSession, people) -> None:
    boss, ex, co, other = people["boss"], people["exec"], people["co"], people["other"]
    aid = await _assignment(session, people)
    assert (
        await session.scalar(select(AssignmentMember.role).where(AssignmentMember.user_id == co.id))
        == MemberRole.CO_EXECUTOR
    )

    with pytest.raises(PermissionDenied):
        await edit.add_items(session, ex, "a", aid, ["Проверить отопление"])
    with pytest.raises(NotFound):
        await edit.add_items(session, other, "a", aid, ["Проверить отопление"])
    added = await edit.add_items(
        session, boss, "a", aid, ["1. Проверить отопление\n2. Утеплить окна", "• Вымыть"]
    )
    assert [i.text for i in added] == ["Проверить отопление", "Утеплить окна", "Вымыть"]
    await edit.move_item(session, boss, added[2].id, -2)
    await edit.edit_item(session, boss, added[2].id, "Вымыть полы")
    assert [i.text for i in await checklists.items_of(session, "a", aid)] == [
        "Вымыть полы",
        "Проверить отопление",
        "Утеплить окна",
    ]

    with pytest.raises(PermissionDenied):
        await edit.tick(session, boss, added[0].id)  # the control writes, the executors tick
    with pytest.raises(NotFound):
        await edit.tick(session, other, added[0].id)
    await edit.tick(session, ex, added[0].id)
    item = await edit.tick(session, co, added[1].id, True)
    assert item.done_by_id == co.id and item.done_at is not None
    await edit.tick(session, co, added[1].id, True)  # ticking twice changes nothing
    await edit.tick(session, ex, added[1].id)  # toggles off
    assert await checklists.summary(session, "a", aid) == checklists.Summary(done=1, total=3)

    seen = await edit.view(session, people["manager"], "a", aid)  # managers see, read-only
    assert (seen.rights.view, seen.rights.edit, seen.rights.tick) == (True, False, False)
    assert seen.summary == checklists.Summary(1, 3)

    await edit.remove_item(session, boss, added[2].id)
    await edit.set_required(session, boss, "a", aid, True)
    with pytest.raises(PermissionDenied):
        await edit.set_required(session, ex, "a", aid, False)
    await session.commit()
    assert await _audit(session, "assignment", aid) == [
        ("checklist_added", boss.id),
        ("checklist_moved", boss.id),
        ("checklist_edited", boss.id),
        ("checklist_ticked", ex.id),
        ("checklist_ticked", co.id),
        ("checklist_unticked", ex.id),
        ("checklist_removed", boss.id),
        ("checklist_required", boss.id),
    ]


async def test_report_waits_for_every_item_when_required(session: AsyncSession, people) -> None:
    boss, ex = people["boss"], people["exec"]
    aid = await _assignment(session, people)
    first, second = await edit.set_items(session, boss, "a", aid, ["Осмотреть", "Починить"])
    await commands.transition(session, ex, aid, Action.ACKNOWLEDGE)
    draft = await reports.open_draft(session, ex, aid)  # not required yet: the report may start
    await reports.set_text(session, ex, draft.id, "Готово")
    await edit.set_required(session, boss, "a", aid, True)
    await session.commit()

    with pytest.raises(InvalidInput) as refused:
        await reports.open_draft(session, ex, aid)
    assert (
        refused.value.message == "Tick every checklist item first: %(n)d left."
        and refused.value.params == {"n": 2}
    )
    await edit.tick(session, ex, first.id)
    with pytest.raises(InvalidInput):
        await reports.submit(session, ex, draft.id)
    with pytest.raises(InvalidInput):
        await commands.transition(session, ex, aid, Action.SUBMIT)
    await session.commit()
    assert (await session.get(type(draft), draft.id)).status == "draft"  # type: ignore[union-attr]

    await edit.tick(session, ex, second.id)
    await reports.submit(session, ex, draft.id)
    await session.commit()
    a = await commands.load(session, aid)
    assert a.status == S.ON_REVIEW
    # Closed work keeps its list as it was.
    await commands.transition(session, boss, aid, Action.ACCEPT)
    with pytest.raises(InvalidInput):
        await edit.tick(session, ex, second.id)
    with pytest.raises(InvalidInput):
        await edit.add_items(session, boss, "a", aid, ["Ещё"])


async def test_set_items_keeps_ticks_of_kept_texts(session: AsyncSession, people) -> None:
    boss, ex = people["boss"], people["exec"]
    aid = await _assignment(session, people)
    first, _second = await edit.set_items(session, boss, "a", aid, ["Осмотреть", "Починить"])
    await edit.tick(session, ex, first.id)
    kept = await edit.set_items(session, boss, "a", aid, ["Починить", "Осмотреть", "Сфотографировать"])
    assert [(i.text, i.done_at is not None) for i in kept] == [
        ("Починить", False),
        ("Осмотреть", True),
        ("Сфотографировать", False),
    ]
    with pytest.raises(InvalidInput):
        await edit.add_items(session, boss, "a", aid, ["x" * 501])
    with pytest.raises(InvalidInput):
        await edit.add_items(session, boss, "a", aid, ["  \n - "])


async def test_request_checklist_agents_only(session: AsyncSession, people) -> None:
    housing = people["housing"]
    request = ServiceRequest(
        year=2026,
        seq=1,
        number="С-2026-0001",
        subject="Не работает принтер",
        status=ServiceStatus.IN_WORK,
        requester_id=people["other"].id,
        department_id=housing.id,  # type: ignore[attr-defined]
    )
    session.add(request)
    await session.commit()
    agent, requester = people["exec"], people["other"]
    with pytest.raises(PermissionDenied):
        await edit.add_items(session, requester, "r", request.id, ["Проверить картридж"])
    with pytest.raises(NotFound):
        await edit.add_items(session, people["boss"], "r", request.id, ["Проверить картридж"])
    (item,) = await edit.add_items(session, agent, "r", request.id, ["Проверить картридж"])
    assert (await edit.view(session, requester, "r", request.id)).rights.tick is False
    await edit.set_required(session, agent, "r", request.id, True)
    with pytest.raises(InvalidInput):
        await checklists.require_complete(session, service_request_id=request.id)
    await edit.tick(session, agent, item.id)
    await checklists.require_complete(session, service_request_id=request.id)
    await session.commit()
    assert [a for a, _ in await _audit(session, "service_request", request.id)] == [
        "checklist_added",
        "checklist_required",
        "checklist_ticked",
    ]
    assert checklists.cb_open("r", request.id) == f"chk:open:r:{request.id}"
    assert checklists.cb_tick(item.id) == f"chk:tick:{item.id}"
    assert (
        await session.scalar(select(ChecklistItem.done_by_id).where(ChecklistItem.id == item.id))
    ) == agent.id
