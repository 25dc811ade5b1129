"""KPI on a small hand-made data set whose figures are worked out by hand in the comments.

Period: October 2026 (UTC), ``now`` = 15 November. Rows are written directly so every timestamp is
exactly what the case needs (done at the deadline, events on the period's edges, a reassignment).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Appeal,
    Assignment,
    AuditEvent,
    Building,
    Correspondent,
    ExtensionRequest,
    Outage,
    OutageBuilding,
)
from models.enums import AppealStatus, ExtensionStatus, Role
from models.enums import AssignmentStatus as S
from services import staff
from services.analytics.appeals_kpi import appeal_kpi, outage_kpi
from services.analytics.kpi import AssignmentKpi, GroupBy, Scope, assignment_kpi, assignment_kpi_by, combine
from services.audit import Actor


def _figures(k: AssignmentKpi) -> dict[str, Any]:
    """Every figure of a KPI row, the derived rates included."""
    return {
        "received": k.received,
        "done": k.done,
        "done_on_time": k.done_on_time,
        "on_time_rate": k.on_time_rate,
        "avg_hours_to_done": k.avg_hours_to_done,
        "overdue_now": k.overdue_now,
        "returned": k.returned,
        "declined": k.declined,
        "extensions_requested": k.extensions_requested,
        "extensions_approved": k.extensions_approved,
    }


START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 15, tzinfo=UTC)


def d(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
async def org(session: AsyncSession) -> dict[str, int]:
    sys = Actor.system("test")
    d1 = await staff.create_department(session, sys, "Отдел ЖКХ")
    d2 = await staff.create_department(session, sys, "Дорожный отдел")
    boss = await staff.create_user(session, sys, full_name="Контролёр", roles=[Role.CONTROLLER])
    e1 = await staff.create_user(session, sys, full_name="Исполнитель Один", department_id=d1.id)
    e2 = await staff.create_user(session, sys, full_name="Исполнитель Два", department_id=d1.id)
    e3 = await staff.create_user(session, sys, full_name="Исполнитель Три", department_id=d2.id)
    ids = {"d1": d1.id, "d2": d2.id, "boss": boss.id, "e1": e1.id, "e2": e2.id, "e3": e3.id}

    def assignment(n: int, who: str, created: datetime, deadline: datetime, status: S, done=None):  # type: ignore[no-untyped-def]
        dept = "d2" if who == "e3" else "d1"
        return Assignment(
            id=n,
            title=f"a{n}",
            status=status,
            author_id=boss.id,
            executor_id=ids[who],
            department_id=ids[dept],
            created_at=created,
            deadline=deadline,
            done_at=done,
        )

    session.add_all(
        [
            # done on time, 168 h
            assignment(1, "e1", d(10, 2), d(10, 10), S.DONE, done=d(10, 9)),
            # done exactly at the deadline: on time, 180 h
            assignment(2, "e1", d(10, 3), d(10, 10, 12), S.DONE, done=d(10, 10, 12)),
            # done late after two returns, 168 h
            assignment(3, "e1", d(10, 5), d(10, 8), S.DONE, done=d(10, 12)),
            # declined by e3, reassigned to e2; overdue now
            assignment(4, "e2", d(10, 4), d(11, 10), S.IN_PROGRESS),
            # created before the period, done late inside it: 360 h
            assignment(5, "e2", d(9, 20), d(10, 1), S.DONE, done=d(10, 5)),
            # received in the period, done after it
            assignment(6, "e3", d(10, 20), d(11, 5), S.DONE, done=d(11, 2)),
            # cancelled past its deadline: never overdue
            assignment(7, "e3", d(10, 25), d(10, 27), S.CANCELLED),
            # old and still open: overdue now, not received in the period
            assignment(8, "e1", d(8, 1), d(9, 1), S.NEW),
        ]
    )
    await session.flush()

    def event(assignment_id: int, action: str, at: datetime, actor: int) -> AuditEvent:
        return AuditEvent(
            at=at, actor_user_id=actor, entity_type="assignment", entity_id=assignment_id, action=action
        )

    def extension(
        assignment_id: int, old: datetime, new: datetime, status: ExtensionStatus, *, created: datetime
    ) -> ExtensionRequest:
        return ExtensionRequest(
            assignment_id=assignment_id,
            old_deadline=old,
            new_deadline=new,
            reason="r",
            status=status,
            created_at=created,
        )

    session.add_all(
        [
            event(3, "return", d(9, 30), boss.id),  # before the period
            event(3, "return", d(10, 7), boss.id),
            event(3, "return", d(10, 9), boss.id),
            event(3, "return", END, boss.id),  # the period is half-open
            event(4, "decline", d(10, 6), e3.id),
            event(4, "reassign", d(10, 6, 1), boss.id),
            extension(1, d(10, 8), d(10, 10), ExtensionStatus.APPROVED, created=d(10, 3)),
            extension(4, d(11, 10), d(11, 20), ExtensionStatus.REJECTED, created=d(10, 10)),
            extension(6, d(11, 5), d(11, 9), ExtensionStatus.PENDING, created=d(11, 1)),
        ]
    )
    await session.commit()
    return ids


async def test_organisation_kpi(session: AsyncSession, org: dict[str, int]) -> None:
    kpi = await assignment_kpi(session, START, END, now=NOW)
    assert kpi.received == 6  # a1 a2 a3 a4 a6 a7
    assert (kpi.done, kpi.done_on_time) == (4, 2)  # a1 a2 a3 a5; a1 a2 on time
    assert kpi.on_time_rate == 0.5
    assert kpi.avg_hours_to_done == pytest.approx((168 + 180 + 168 + 360) / 4)
    assert kpi.overdue_now == 2  # a4 a8
    assert kpi.returned == 2
    assert kpi.declined == 1
    assert (kpi.extensions_requested, kpi.extensions_approved) == (2, 1)


async def test_department_kpi_follows_the_reassignment(session: AsyncSession, org: dict[str, int]) -> None:
    housing = await assignment_kpi(session, START, END, now=NOW, scope=Scope(department_id=org["d1"]))
    assert _figures(housing) == {
        "received": 4,
        "done": 4,
        "done_on_time": 2,
        "on_time_rate": 0.5,
        "avg_hours_to_done": pytest.approx(219.0),
        "overdue_now": 2,
        "returned": 2,
        "declined": 0,  # e3 declined, and e3 is in the roads department
        "extensions_requested": 2,
        "extensions_approved": 1,
    }
    roads = await assignment_kpi(session, START, END, now=NOW, scope=Scope(department_id=org["d2"]))
    assert (roads.received, roads.done, roads.on_time_rate, roads.avg_hours_to_done) == (2, 0, None, None)
    assert (roads.declined, roads.overdue_now, roads.extensions_requested) == (1, 0, 0)


async def test_employee_kpi_and_breakdowns(session: AsyncSession, org: dict[str, int]) -> None:
    e1 = await assignment_kpi(session, START, END, now=NOW, scope=Scope(user_id=org["e1"]))
    assert (e1.received, e1.done, e1.done_on_time, e1.overdue_now, e1.returned) == (3, 3, 2, 1, 2)
    assert e1.avg_hours_to_done == pytest.approx(172.0)
    e2 = await assignment_kpi(session, START, END, now=NOW, scope=Scope(user_id=org["e2"]))
    assert (e2.received, e2.done, e2.done_on_time, e2.overdue_now) == (1, 1, 0, 1)
    assert (e2.extensions_requested, e2.extensions_approved, e2.declined) == (1, 0, 0)
    e3 = await assignment_kpi(session, START, END, now=NOW, scope=Scope(user_id=org["e3"]))
    assert (e3.received, e3.done, e3.declined) == (2, 0, 1)

    by_executor = await assignment_kpi_by(session, START, END, now=NOW, group=GroupBy.EXECUTOR)
    assert by_executor[org["e1"]].received == 3 and by_executor[org["e3"]].declined == 1
    by_department = await assignment_kpi_by(session, START, END, now=NOW, group=GroupBy.DEPARTMENT)
    total = combine(by_department.values())
    organisation = await assignment_kpi(session, START, END, now=NOW)
    assert _figures(total) == _figures(organisation)


async def test_appeal_and_outage_kpi(session: AsyncSession) -> None:
    anna = Correspondent(name="Анна", name_search="анна")
    org = Correspondent(name="ООО «Тепло»", name_search="ооо «тепло»", kind="organisation")
    session.add_all([anna, org])
    await session.flush()

    def appeal(n: int, channel: str, registered: datetime, due: datetime, who: Correspondent, **kw):  # type: ignore[no-untyped-def]
        return Appeal(
            reg_year=2026,
            reg_seq=n,
            reg_number=f"2026-{n:06d}",
            channel=channel,
            correspondent_id=who.id,
            registered_at=registered,
            due_at=due,
            **kw,
        )

    session.add_all(
        [
            appeal(
                1, "telegram", d(10, 1), d(10, 31), anna, status=AppealStatus.ANSWERED, answered_at=d(10, 20)
            ),
            # answered exactly at the deadline: in time
            appeal(
                2, "telegram", d(10, 2), d(10, 30), anna, status=AppealStatus.ANSWERED, answered_at=d(10, 30)
            ),
            appeal(3, "email", d(10, 3), d(10, 25), org, status=AppealStatus.ANSWERED, answered_at=d(10, 28)),
            # registered before the period, answered late inside it
            appeal(4, "paper", d(9, 1), d(10, 1), org, status=AppealStatus.CLOSED, answered_at=d(10, 2)),
            # open past its deadline
            appeal(5, "web", d(10, 10), d(11, 9), anna, status=AppealStatus.IN_WORK),
            # open, deadline ahead
            appeal(6, "web", d(10, 31, 23), d(11, 30), org, status=AppealStatus.REGISTERED),
        ]
    )
    houses = [Building(street="Ленина", street_key="ленина", house=str(n), house_key=str(n)) for n in (1, 2)]
    session.add_all(houses)
    await session.flush()
    water = Outage(
        kind="accident",
        resource="cold_water",
        status="resolved",
        starts_at=d(10, 10),
        expected_end_at=d(10, 10, 12),
        ended_at=d(10, 10, 10),
        published_at=d(10, 10),
    )
    heat = Outage(
        kind="planned", resource="heating", status="active", starts_at=d(10, 31, 20), published_at=d(10, 31)
    )
    session.add_all([water, heat])
    await session.flush()
    session.add_all(
        [OutageBuilding(outage_id=water.id, building_id=b.id, added_at=d(10, 10)) for b in houses]
        + [OutageBuilding(outage_id=heat.id, building_id=houses[0].id, added_at=d(10, 31))]
    )
    await session.commit()

    kpi = await appeal_kpi(session, START, END, now=NOW)
    assert kpi.registered == 5
    assert kpi.by_channel == {"telegram": 2, "email": 1, "web": 2}
    assert (kpi.answered, kpi.answered_in_time, kpi.in_time_rate) == (4, 2, 0.5)
    assert kpi.overdue_now == 1
    assert kpi.top_correspondents[0][1:] == ("Анна", 3)

    outages = await outage_kpi(session, START, END, now=NOW)
    assert (outages["cold_water"].outages, outages["cold_water"].houses) == (1, 2)
    assert outages["cold_water"].house_hours == pytest.approx(20.0)
    # still active at ``now``: 31 Oct 20:00 to 15 Nov 00:00 is 14 days and 4 hours, for one house
    assert outages["heating"].house_hours == pytest.approx(14 * 24 + 4)
