"""The volunteer base: a questionnaire answer makes a candidate with skills, availability and the
tag; staff accept (the person is told in the bot); shifts refuse double booking and inactive people;
the volunteer's answer is checked against their own card; the suggestions for an event."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, OutboxMessage, VolunteerShift, utcnow
from models.enums import Role, VolunteerShiftStatus, VolunteerStatus
from services.audience import tags
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.volunteers import base, shifts, suggest
from services.volunteers.vocabulary import PARTS
from tests.volunteers_support import CTX, active_volunteer, make_event, make_person, make_staff, questionnaire


async def _outbox(session: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    return list(
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
    )


async def test_questionnaire_makes_a_candidate_with_skills_availability_and_the_tag(
    session: AsyncSession,
) -> None:
    card = await make_person(session, "Смирнова Вера")
    volunteer = await questionnaire(
        session,
        card,
        {
            "skills": "Экскурсии, фотосъёмка, экскурсии",
            "availability": ["mon_morning", "weekends", "someday"],
            "name": "Вера",
        },
    )
    assert volunteer.status == VolunteerStatus.CANDIDATE
    assert volunteer.skills == ["Экскурсии", "фотосъёмка"]
    assert volunteer.availability == {"mon": ["morning"], "sat": list(PARTS), "sun": list(PARTS)}
    assert await tags.tags_of(session, card.id) == ["волонтёр"]
    # Answering again updates the same volunteer (a multichoice of skills this time); no second tag.
    again = await questionnaire(session, card, {"skills": ["Мастер-классы"], "availability": "evenings"})
    assert again.id == volunteer.id and again.skills == ["Мастер-классы"]
    assert set(again.availability) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert all(parts == ["evening"] for parts in again.availability.values())
    actions = list(
        await session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "volunteer"))
    )
    assert actions == ["created", "updated_from_form"]


async def test_accept_makes_active_and_tells_the_person(session: AsyncSession) -> None:
    manager = await make_staff(session)
    executor = await make_staff(session, "Иванов Пётр", Role.EXECUTOR)
    card = await make_person(session, "Орлова Дарья", telegram_id=880_001)
    silent = await make_person(session, "Без Телеграма")
    volunteer = await questionnaire(session, card, {"skills": "гардероб"})
    with pytest.raises(PermissionDenied):
        await base.set_status(session, executor, volunteer.id, VolunteerStatus.ACTIVE, ctx=CTX)
    await base.set_status(session, manager, volunteer.id, VolunteerStatus.ACTIVE, ctx=CTX)
    assert volunteer.status == VolunteerStatus.ACTIVE
    told = await _outbox(session, 880_001)
    assert len(told) == 1 and "активный волонтёр" in told[0].payload["text"]
    with pytest.raises(InvalidInput):  # a second press of «Accept» on a stale page
        await base.set_status(session, manager, volunteer.id, VolunteerStatus.ACTIVE, ctx=CTX)
    await base.set_status(session, manager, volunteer.id, VolunteerStatus.PAUSED, ctx=CTX)
    assert "приостановлено" in (await _outbox(session, 880_001))[-1].payload["text"]
    other = await questionnaire(session, silent, {})
    await base.set_status(session, manager, other.id, VolunteerStatus.ACTIVE, ctx=CTX)  # nobody to tell
    audit = await session.scalars(
        select(AuditEvent.new_state).where(
            AuditEvent.entity_id == volunteer.id, AuditEvent.action == "status_changed"
        )
    )
    assert list(audit) == ["active", "paused"]


async def test_assignment_refuses_double_booking_and_inactive_volunteers(session: AsyncSession) -> None:
    manager = await make_staff(session, telegram_id=770_001)
    card = await make_person(session, "Ким Алина", telegram_id=880_002)
    volunteer = await active_volunteer(session, manager, card)
    start = utcnow() + timedelta(days=3)
    tour = await make_event(session, "Ночь музеев", start, hours=4)
    lecture = await make_event(
        session, "Лекция о Шишкине", start + timedelta(hours=3), hours=1
    )  # the last hour
    later = await make_event(session, "Мастер-класс", start + timedelta(hours=4))  # starts as the tour ends
    shift = await shifts.assign(
        session, manager, volunteer_id=volunteer.id, event_id=tour.id, role="Гардероб", ctx=CTX
    )
    assert (shift.starts_at, shift.ends_at, shift.status) == (
        tour.starts_at,
        tour.ends_at,
        VolunteerShiftStatus.ASSIGNED,
    )
    notice = (await _outbox(session, 880_002))[-1].payload
    assert "Ночь музеев" in notice["text"] and "Гардероб" in notice["text"]
    assert [b["callback_data"] for b in notice["reply_markup"]["inline_keyboard"][0]] == [
        f"vol:ok:{shift.id}",
        f"vol:no:{shift.id}",
    ]
    with pytest.raises(InvalidInput) as refused:
        await shifts.assign(session, manager, volunteer_id=volunteer.id, event_id=lecture.id, ctx=CTX)
    assert refused.value.params["event"] == "Ночь музеев"
    with pytest.raises(InvalidInput):  # the same event twice
        await shifts.assign(session, manager, volunteer_id=volunteer.id, event_id=tour.id, ctx=CTX)
    await shifts.assign(
        session, manager, volunteer_id=volunteer.id, event_id=later.id, ctx=CTX
    )  # back to back: fine
    candidate = await questionnaire(session, await make_person(session, "Новичок Иван"), {})
    with pytest.raises(InvalidInput):
        await shifts.assign(session, manager, volunteer_id=candidate.id, event_id=lecture.id, ctx=CTX)
    with pytest.raises(InvalidInput):  # 25 hours
        await shifts.assign(
            session, manager, volunteer_id=volunteer.id, event_id=lecture.id,
            starts_at=start + timedelta(days=2), ends_at=start + timedelta(days=3, hours=1), ctx=CTX,
        )  # fmt: skip
    # Declined: the manager hears of it; the hour is free again and the volunteer may be asked once more.
    await shifts.respond(session, 880_002, shift.id, confirm=False, ctx=CTX)
    heard = (await _outbox(session, 770_001))[-1].payload["text"]
    assert "Ким Алина не сможет прийти волонтёром." in heard and "Ночь музеев" in heard
    again = await shifts.assign(session, manager, volunteer_id=volunteer.id, event_id=lecture.id, ctx=CTX)
    assert again.status == VolunteerShiftStatus.ASSIGNED


async def test_only_the_volunteer_answers_their_open_shift(session: AsyncSession) -> None:
    manager = await make_staff(session)
    mine = await active_volunteer(
        session, manager, await make_person(session, "Лебедева Нина", telegram_id=880_003)
    )
    await active_volunteer(session, manager, await make_person(session, "Чужой Олег", telegram_id=880_004))
    event = await make_event(session, "Экскурсия", utcnow() + timedelta(days=1))
    shift = await shifts.assign(session, manager, volunteer_id=mine.id, event_id=event.id, ctx=CTX)
    for stranger in (880_004, 999_999):  # another volunteer; someone with no card at all
        with pytest.raises(NotFound):
            await shifts.respond(session, stranger, shift.id, confirm=True, ctx=CTX)
    with pytest.raises(NotFound):
        await shifts.respond(session, 880_003, 2**70, confirm=True, ctx=CTX)
    await shifts.respond(session, 880_003, shift.id, confirm=True, ctx=CTX)
    assert shift.status == VolunteerShiftStatus.CONFIRMED
    with pytest.raises(InvalidInput):
        await shifts.respond(session, 880_003, shift.id, confirm=True, ctx=CTX)
    await shifts.mark_no_show(session, manager, shift.id, now=event.starts_at + timedelta(hours=1))
    with pytest.raises(InvalidInput):  # closed
        await shifts.respond(session, 880_003, shift.id, confirm=False, ctx=CTX)


async def test_suggestions_are_available_free_and_least_busy_first(session: AsyncSession) -> None:
    manager = await make_staff(session)
    now = utcnow()
    # A Saturday evening next week, 18:00 Moscow time.
    local = (now + timedelta(days=7)).astimezone(CTX.tz)
    saturday = (local + timedelta(days=(5 - local.weekday()) % 7)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    event = await make_event(session, "Концерт во дворе", saturday.astimezone(UTC))
    busy_elsewhere = await make_event(session, "Другое", saturday.astimezone(UTC) + timedelta(minutes=30))
    people = {}
    for name, availability in (
        ("Антонова Ада", "weekends"),
        ("Борисов Борис", "sat_evening"),
        ("Васильева Вика", ["sat_evening", "sun_morning"]),
        ("Утренний Гоша", "sat_morning"),  # not in the evening
        ("Занятой Дима", "any"),  # already booked at that time
    ):
        people[name] = await active_volunteer(
            session, manager, await make_person(session, name), availability
        )
    paused = await active_volunteer(session, manager, await make_person(session, "Пауза Ева"), "any")
    await base.set_status(session, manager, paused.id, VolunteerStatus.PAUSED, ctx=CTX)
    await shifts.assign(
        session, manager, volunteer_id=people["Занятой Дима"].id, event_id=busy_elsewhere.id, ctx=CTX
    )
    # Hours this year: Ада 5, Борис 0, Вика 2 (a past shift each, marked done).
    for name, worked in (("Антонова Ада", 5.0), ("Васильева Вика", 2.0)):
        past = await make_event(session, f"Прошлое {name}", now - timedelta(days=1, hours=len(name)))
        if past.starts_at.astimezone(CTX.tz).year != now.astimezone(CTX.tz).year:
            past.starts_at, past.ends_at = now - timedelta(hours=3), now - timedelta(hours=1)
        done = await shifts.assign(session, manager, volunteer_id=people[name].id, event_id=past.id, ctx=CTX)
        await shifts.mark_done(session, manager, done.id, hours=worked)
    found = await suggest.for_event(session, event, CTX.tz, now)
    assert [(c.name, c.hours_this_year) for c in found] == [
        ("Борисов Борис", 0.0),
        ("Васильева Вика", 2.0),
        ("Антонова Ада", 5.0),
    ]
    await shifts.assign(session, manager, volunteer_id=people["Борисов Борис"].id, event_id=event.id, ctx=CTX)
    assert [c.name for c in await suggest.for_event(session, event, CTX.tz, now)] == [
        "Васильева Вика",
        "Антонова Ада",
    ]
    rows = list(await session.scalars(select(VolunteerShift)))
    assert len(rows) == 4


async def test_pausing_frees_the_shifts_ahead_and_keeps_the_hours_behind(session: AsyncSession) -> None:
    manager = await make_staff(session, telegram_id=770_011)
    card = await make_person(session, "Лебедев Пётр", telegram_id=880_012)
    volunteer = await active_volunteer(session, manager, card)
    past = await make_event(session, "Экскурсия", utcnow() - timedelta(days=2), hours=3)
    ahead = await make_event(session, "Ночь музеев", utcnow() + timedelta(days=4))
    worked = await shifts.assign(session, manager, volunteer_id=volunteer.id, event_id=past.id, ctx=CTX)
    await shifts.mark_done(session, manager, worked.id)
    coming = await shifts.assign(session, manager, volunteer_id=volunteer.id, event_id=ahead.id, ctx=CTX)
    await shifts.respond(session, 880_012, coming.id, confirm=True, ctx=CTX)

    await base.set_status(session, manager, volunteer.id, VolunteerStatus.PAUSED, ctx=CTX)
    assert (worked.status, worked.hours) == (VolunteerShiftStatus.DONE, 3.0)
    assert coming.status == VolunteerShiftStatus.DECLINED
    released = await session.scalar(
        select(AuditEvent.reason).where(AuditEvent.entity_id == coming.id, AuditEvent.action == "released")
    )
    assert released == VolunteerStatus.PAUSED
