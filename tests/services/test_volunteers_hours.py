"""Hours volunteered, against a hand-made data set: shifts across months and a year boundary, hours
by default and typed, a correction, a no-show and a declined shift that count nothing; local months
(a shift after midnight in Moscow on 1 June is June's even though it is still 31 May in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import VolunteerShiftStatus
from services.errors import InvalidInput, PermissionDenied
from services.volunteers import hours, shifts
from tests.volunteers_support import CTX, active_volunteer, make_event, make_person, make_staff

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK).astimezone(UTC)  # type: ignore[misc]


async def test_hours_per_volunteer_month_year_and_event(session: AsyncSession) -> None:
    manager = await make_staff(session)
    clerk = await make_staff(session, "Делопроизводова Инна", "clerk")
    executor = await make_staff(session, "Исполнитель Иван", "executor")
    anna = await active_volunteer(session, manager, await make_person(session, "Андреева Анна"))
    boris = await active_volunteer(session, manager, await make_person(session, "Белов Борис"))

    async def shift(volunteer, title: str, start: datetime, length: float):  # type: ignore[no-untyped-def]
        event = await make_event(session, title, start, hours=length)
        return event, await shifts.assign(
            session, manager, volunteer_id=volunteer.id, event_id=event.id, ctx=CTX
        )

    _, december = await shift(anna, "Ёлка в музее", msk(2025, 12, 20, 10), 4)
    january_event, january = await shift(anna, "Рождественские чтения", msk(2026, 1, 10, 10), 3)
    _, evening = await shift(anna, "Вечер поэзии", msk(2026, 1, 25, 18), 3)
    _, march = await shift(anna, "8 Марта", msk(2026, 3, 8, 11), 4)
    _, midnight = await shift(anna, "Ночь кино", msk(2026, 6, 1, 1), 2)
    boris_january = await shifts.assign(
        session, manager, volunteer_id=boris.id, event_id=january_event.id, ctx=CTX
    )
    _, february = await shift(boris, "Валентинов день", msk(2026, 2, 14, 12), 4)

    await shifts.mark_done(session, manager, december.id, now=NOW)  # 4 h: the shift's length
    await shifts.mark_done(session, clerk, january.id, now=NOW)  # 3 h
    await shifts.mark_done(session, manager, evening.id, hours=2.5, now=NOW)  # left early
    await shifts.mark_no_show(session, manager, march.id, now=NOW)
    await shifts.mark_done(session, manager, midnight.id, now=NOW)  # 2 h, June locally
    await shifts.mark_done(session, manager, boris_january.id, hours=3, now=NOW)
    await shifts.mark_done(session, manager, boris_january.id, hours=2, now=NOW)  # corrected
    february.status = VolunteerShiftStatus.DECLINED
    with pytest.raises(InvalidInput):
        await shifts.mark_done(session, manager, february.id, now=NOW)
    for wrong in (0, -1, 24.5):
        with pytest.raises(InvalidInput):
            await shifts.mark_done(session, manager, march.id, hours=wrong, now=NOW)
    with pytest.raises(InvalidInput):  # not started yet
        await shifts.mark_done(session, manager, midnight.id, now=msk(2026, 5, 31, 12))
    with pytest.raises(PermissionDenied):
        await shifts.mark_done(session, executor, march.id, now=NOW)

    # By hand: Anna 4 (Dec 2025) + 3 + 2.5 (Jan) + 2 (Jun) = 11.5, of them 7.5 in 2026; Boris 2.
    a = await hours.of_volunteer(session, anna.id, MSK, NOW)
    assert (a.total, a.this_year, a.shifts) == (11.5, 7.5, 4)
    assert a.by_month == {"2026-06": 2.0, "2026-01": 5.5, "2025-12": 4.0}
    b = await hours.of_volunteer(session, boris.id, MSK, NOW)
    assert (b.total, b.this_year, b.by_month) == (2.0, 2.0, {"2026-01": 2.0})
    assert await hours.of_event(session, january_event.id) == 5.0
    everyone = await hours.of_everyone(session, MSK, NOW)
    assert {k: v.total for k, v in everyone.items()} == {anna.id: 11.5, boris.id: 2.0}

    # January 2026 in Moscow: Anna two shifts 5.5 h, Boris one 2 h; the most hours first.
    january_rows = await hours.report(session, msk(2026, 1, 1), msk(2026, 2, 1))
    assert [(r.name, r.shifts, r.hours) for r in january_rows] == [
        ("Андреева Анна", 2, 5.5),
        ("Белов Борис", 1, 2.0),
    ]
    june_rows = await hours.report(session, msk(2026, 6, 1), msk(2026, 7, 1))
    assert [(r.name, r.hours) for r in june_rows] == [("Андреева Анна", 2.0)]
    assert await hours.report(session, msk(2026, 3, 1), msk(2026, 3, 1) + timedelta(days=31)) == []
