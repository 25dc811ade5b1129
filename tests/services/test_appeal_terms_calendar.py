"""59-FZ terms on the production calendar: a term whose last day is a day off ends on the preceding
working day (the methodological recommendations), or the next one, or stays, as the setting says;
the administrator's own days off count too. Dates are fixed, the calendar is the real one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AppealStatus, CalendarDayKind, Role
from services import staff
from services.appeals import regime, registration, workflow
from services.audit import Actor
from services.notify import NoticeContext
from services.work_calendar import admin, terms
from services.work_calendar.clock import WorkCalendar
from tests.services.appeals_helpers import make_category, register

TZ = ZoneInfo("Europe/Moscow")
SYS = Actor.system("test")


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def test_the_rule_moves_only_a_last_day_off() -> None:
    calendar = WorkCalendar(TZ)
    previous = terms.Terms(TZ, calendar, terms.DayOffRule.PREVIOUS)
    following = terms.Terms(TZ, calendar, terms.DayOffRule.NEXT)
    plain = terms.Terms(TZ, calendar, terms.DayOffRule.NONE)
    # Registered Thursday 29.10.2026: the 30th day is Saturday 28.11 — the term ends on Friday.
    assert previous.after(_at(date(2026, 10, 29)), 30) == _at(date(2026, 11, 27))
    assert following.after(_at(date(2026, 10, 29)), 30) == _at(date(2026, 11, 30))
    assert plain.after(_at(date(2026, 10, 29)), 30) == _at(date(2026, 11, 28))
    # Registered 01.04.2026: the 30th day is 1 May, a public holiday — the 30th of April.
    assert previous.after(_at(date(2026, 4, 1)), 30) == _at(date(2026, 4, 30))
    assert following.after(_at(date(2026, 4, 1)), 30) == _at(date(2026, 5, 4))
    # A working last day stays as it is, time and all.
    assert previous.after(_at(date(2026, 10, 27), 15), 30) == _at(date(2026, 11, 26), 15)
    # End-of-day terms: 3 days from Sunday 01.11.2026 is 4 November (National Unity Day).
    assert previous.end_of_day(_at(date(2026, 11, 1)), 3) == datetime(2026, 11, 3, 23, 59, 59, tzinfo=TZ)
    assert following.end_of_day(_at(date(2026, 11, 1)), 3) == datetime(2026, 11, 5, 23, 59, 59, tzinfo=TZ)
    # 7 days from 24.12.2026 is 31 December, a day off by decree: Wednesday the 30th.
    assert previous.end_of_day(_at(date(2026, 12, 24)), 7) == datetime(2026, 12, 30, 23, 59, 59, tzinfo=TZ)
    assert terms.parse_rule("NEXT") is terms.DayOffRule.NEXT and terms.parse_rule("?") is terms.DEFAULT_RULE


async def test_intake_and_registration_follow_the_calendar_with_own_days_off(
    session: AsyncSession, tmp_path: Path
) -> None:
    boss = await staff.create_user(session, SYS, full_name="Админ", roles=[Role.ADMIN])
    await make_category(session, answer_days=30)
    first = await register(session, tmp_path, now=_at(date(2026, 4, 1)).astimezone(UTC))
    assert first.appeal.due_at == _at(date(2026, 4, 30))
    # The museum closes on 30 April for a sanitary day: the term now ends on the 29th.
    await admin.save_day(
        session,
        Actor(user_id=boss.id),
        None,
        admin.DayInput(date(2026, 4, 30), CalendarDayKind.DAY_OFF, "Санитарный день"),
    )
    second = await register(session, tmp_path, now=_at(date(2026, 4, 1)), text="Не горит фонарь у дома 3")
    assert second.appeal.due_at == _at(date(2026, 4, 29))
    # The setting «none» keeps plain calendar days.
    plain = NoticeContext(tz=TZ, appeal_term_rule="none")
    third = await register(session, tmp_path, now=_at(date(2026, 4, 1)), text="Яма у дома 9", notify=plain)
    assert third.appeal.due_at == _at(date(2026, 5, 1))

    # Manual registration: received Sunday 01.11.2026, registered by the end of 3 November.
    await regime.update(session, Actor(user_id=boss.id), "web", regime="appeal", manual_registration=True)
    clerk = await staff.create_user(session, SYS, full_name="Секретарь", roles=[Role.CLERK])
    ctx = NoticeContext(tz=TZ)
    received = await register(
        session, tmp_path, channel="web", now=_at(date(2026, 11, 1)), text="Мусор во дворе дома 7", notify=ctx
    )
    appeal = received.appeal
    assert appeal.status == AppealStatus.RECEIVED
    assert appeal.registration_due_at == datetime(2026, 11, 3, 23, 59, 59, tzinfo=TZ)
    # Registered Thursday 24.12.2026: 30 days is Saturday 23.01.2027 — Friday 22.01; redirection by
    # the 31st, a day off by decree — Wednesday 30.12.
    done = await registration.register_received(
        session, appeal.id, actor=clerk, notify=ctx, now=_at(date(2026, 12, 24))
    )
    assert done.due_at == _at(date(2027, 1, 22))
    loaded = await registration.load_terms(session, TZ, ctx.appeal_term_rule)
    assert registration.redirect_due(done, TZ, loaded) == datetime(2026, 12, 30, 23, 59, 59, tzinfo=TZ)
    # The one extension by 22 days from Friday 22.01.2027 lands on Saturday 13.02: Friday 12.02.
    extended = await workflow.extend_deadline(
        session,
        appeal.id,
        days=22,
        reason="Нужна экспертиза",
        actor=clerk,
        notify=ctx,
        now=_at(date(2027, 1, 10)),
    )
    assert extended.due_at == _at(date(2027, 2, 12))
