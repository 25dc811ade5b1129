"""SLA due moments on a frozen clock, in local time: across a weekend, public holidays, a day off
moved by decree and the Saturday made working, a shortened eve, the administration's own day off,
and a pause while the service waits for the requester. Targets: 120 working minutes to react,
240 to resolve; hours 09:00–18:00 Monday to Friday."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import CalendarDay
from models.enums import CalendarDayKind
from services.service_desk import requests, resolution, sla
from services.work_calendar import store as calendar_store
from tests.services.service_desk_support import MSK, make_desk, msk


def local(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(MSK).replace(second=0, microsecond=0)


async def test_across_a_weekend(session: AsyncSession) -> None:
    desk = await make_desk(session)
    # Friday 17:00: one working hour left that day, the rest on Monday.
    request = await desk.file(session, msk(2026, 3, 13, 17, 0))
    assert local(request.reaction_due_at) == msk(2026, 3, 16, 10, 0)
    assert local(request.resolution_due_at) == msk(2026, 3, 16, 12, 0)


async def test_public_holidays_and_shortened_eve(session: AsyncSession) -> None:
    desk = await make_desk(session)
    # Thursday 30 April 2026 is the eve of 1 May: the day ends at 17:00; 1–3 May are off.
    eve = await desk.file(session, msk(2026, 4, 30, 16, 0))
    assert local(eve.reaction_due_at) == msk(2026, 5, 4, 10, 0)
    assert local(eve.resolution_due_at) == msk(2026, 5, 4, 12, 0)
    # Friday 8 May ends at 17:00 (eve of 9 May); 9–10 May weekend; Monday 11 May is the day off
    # moved from Saturday 9 May.
    victory = await desk.file(session, msk(2026, 5, 8, 16, 0), subject="Проектор в зале")
    assert local(victory.reaction_due_at) == msk(2026, 5, 12, 10, 0)
    assert local(victory.resolution_due_at) == msk(2026, 5, 12, 12, 0)


async def test_transferred_working_day(session: AsyncSession) -> None:
    desk = await make_desk(session)
    # 2027: Saturday 20 February is a working day, Monday 22 February a day off, 23 February a holiday.
    friday = await desk.file(session, msk(2027, 2, 19, 17, 0))
    assert local(friday.reaction_due_at) == msk(2027, 2, 20, 10, 0)  # on the working Saturday
    assert local(friday.resolution_due_at) == msk(2027, 2, 20, 12, 0)
    saturday = await desk.file(session, msk(2027, 2, 20, 17, 0), subject="Нет сети")
    assert local(saturday.reaction_due_at) == msk(2027, 2, 24, 10, 0)  # skips 21, 22 and 23
    assert local(saturday.resolution_due_at) == msk(2027, 2, 24, 12, 0)


async def test_administrators_own_day_off(session: AsyncSession) -> None:
    desk = await make_desk(session)
    session.add(
        CalendarDay(day=date(2026, 3, 16), kind=CalendarDayKind.DAY_OFF.value, note="Санитарный день")
    )
    await session.flush()
    request = await desk.file(session, msk(2026, 3, 13, 17, 0))
    # Monday 16 March is off by the administration's word: the hour left moves to Tuesday.
    assert local(request.reaction_due_at) == msk(2026, 3, 17, 10, 0)
    assert local(request.resolution_due_at) == msk(2026, 3, 17, 12, 0)


async def test_pause_moves_the_due_moment_by_the_working_time_waited(session: AsyncSession) -> None:
    desk = await make_desk(session)
    ctx = desk.ctx
    request = await desk.file(session, msk(2026, 3, 16, 9, 0))
    assert local(request.resolution_due_at) == msk(2026, 3, 16, 13, 0)
    before = request.resolution_due_at
    await requests.take(session, desk.agent, request.id, ctx=ctx, now=msk(2026, 3, 16, 9, 30))
    asked, answered = msk(2026, 3, 16, 10, 0), msk(2026, 3, 17, 10, 0)
    await resolution.wait_for_requester(session, desk.agent, request.id, "Какой кабинет?", ctx=ctx, now=asked)
    calendar = await calendar_store.load(session, MSK)
    paused = sla.resolution_clock(request, calendar, msk(2026, 3, 16, 15, 0))
    assert paused.state is sla.ClockState.PAUSED
    await resolution.comment(session, desk.requester, request.id, "Кабинет 214", ctx=ctx, now=answered)
    request = await requests.load(session, request.id)
    waited = calendar.working_minutes(asked, answered)
    assert waited == 8 * 60 + 60  # Monday 10:00–18:00 and Tuesday 09:00–10:00
    assert request.paused_at is None and request.paused_minutes == waited
    assert calendar.working_minutes(before, request.resolution_due_at) == waited
    assert local(request.resolution_due_at) == msk(2026, 3, 17, 13, 0)
    assert request.reaction_met is True  # taken at 09:30, due 11:00
    running = sla.resolution_clock(request, calendar, answered)
    assert running.state is sla.ClockState.RUNNING and running.left_minutes == 3 * 60
