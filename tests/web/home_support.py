"""A working day for the home page tests: the dispatch town (tests/web/outages_support.py) plus a
controller, a manager, an administrator, assignments and appeals, with known figures per role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.views.assignments.listing import week_end
from models import Appeal, Assignment, User, utcnow
from models.enums import AppealStatus, AssignmentStatus
from services.audit import Actor
from services.staff import create_department, set_department_head
from tests.web.outages_support import make_staff, make_town

# role -> (login, the blocks its home page shows)
ROLES: dict[str, tuple[str, set[str]]] = {
    "executor": ("worker", {"executor"}),
    "controller": ("ctrl", {"control"}),
    "clerk": ("clerk", {"clerk"}),
    "dispatcher": ("dispatch", {"dispatcher"}),
    "manager": ("boss", {"manager"}),
    "admin": ("root", {"executor", "control", "clerk", "dispatcher", "manager", "admin"}),
}
ALL_BLOCKS = {"executor", "control", "clerk", "dispatcher", "manager", "admin"}
# The figures each role must see (element id -> count); the links are checked against the lists.
EXPECTED: dict[str, dict[str, int]] = {
    "executor": {"my-overdue": 1, "my-week": 1},
    "controller": {"control-overdue": 2, "control-review": 1},
    "clerk": {"appeals-new": 2, "appeals-unassigned": 2, "appeals-soon": 1, "appeals-overdue": 1},
    "dispatcher": {"outages-active": 1, "outages-houses": 3, "outages-social": 1},
    "manager": {"org-overdue": 2, "org-open": 4, "org-appeals-overdue": 1},
}


@dataclass(frozen=True)
class Day:
    housing_id: int
    worker_id: int
    overdue_dept_rows: int  # overdue assignments of the housing department


async def make_day(session_factory: async_sessionmaker[AsyncSession], tz: ZoneInfo) -> Day:
    await make_town(session_factory)  # dispatch, clerk, worker; one active outage (3 houses, a school)
    now = utcnow()
    sys = Actor.system("test")
    async with session_factory() as s:
        housing = await create_department(s, sys, "Отдел ЖКХ")
        ctrl = await make_staff(s, "ctrl", "controller", "Мария Контролёва")
        await make_staff(s, "boss", "manager", "Глава Администрации")
        await make_staff(s, "root", "admin", "Анна Админова")
        other = await make_staff(s, "other", "executor", "Олег Сидоров")
        await set_department_head(s, sys, housing.id, ctrl.id)
        worker = await s.scalar(select(User).where(User.login == "worker"))
        assert worker is not None
        s.add_all(
            [
                Appeal(
                    reg_year=2026, reg_seq=1, reg_number="2026-900001", channel="paper", text="Яма у дома",
                    status=AppealStatus.REGISTERED, due_at=now + timedelta(days=2),
                ),
                Appeal(
                    reg_year=2026, reg_seq=2, reg_number="2026-900002", channel="paper", text="Нет света",
                    status=AppealStatus.IN_WORK, due_at=now - timedelta(days=1),
                ),
                Appeal(
                    reg_year=2026, reg_seq=3, reg_number="2026-900003", channel="email", text="Мусор",
                    status=AppealStatus.REGISTERED, due_at=now + timedelta(days=20),
                ),
                Appeal(
                    reg_year=2026, reg_seq=4, reg_number="2026-900004", channel="email", text="Ответили",
                    status=AppealStatus.ANSWERED, due_at=now - timedelta(days=3),
                ),
            ]
        )  # fmt: skip
        await s.flush()
        in_work = await s.scalar(select(Appeal.id).where(Appeal.reg_seq == 2))
        in_week = now + (week_end(now, tz) - now) / 2

        def a(title: str, who: int, status: str, deadline, appeal_id=None) -> Assignment:  # type: ignore[no-untyped-def]
            return Assignment(
                title=title, status=status, executor_id=who, controller_id=ctrl.id, author_id=ctrl.id,
                department_id=housing.id, deadline=deadline, appeal_id=appeal_id,
            )  # fmt: skip

        s.add_all(
            [
                a("Ремонт ограды", worker.id, AssignmentStatus.IN_PROGRESS, now - timedelta(days=1)),
                a("Покраска скамеек", worker.id, AssignmentStatus.NEW, in_week),
                a("Отчёт о проверке", worker.id, AssignmentStatus.ON_REVIEW, now + timedelta(days=30)),
                a("Свет в подъезде", other.id, AssignmentStatus.IN_PROGRESS, now - timedelta(hours=3),
                  in_work),
                a("Давно сделано", worker.id, AssignmentStatus.DONE, now - timedelta(days=9)),
            ]
        )  # fmt: skip
        await s.commit()
        return Day(housing.id, worker.id, 2)
