"""Events: seats and the waiting list, promotion when someone cancels or seats are added, the last
seat taken by two people at once, reminders sent once, a cancelled event telling everyone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import EventRegistration, Form, FormSubmission, MuseumEvent, User, utcnow
from models.enums import RegistrationStatus
from scheduler.events_jobs import event_reminders
from services.audit import Actor
from services.errors import DomainError
from services.events import registration
from services.events.events import EventInput, counts
from services.events.manage import cancel_event, update_event
from services.events.queries import attendee_ids
from tests.services.events_support import (
    CTX,
    letters_to,
    make_event,
    make_manager,
    make_person,
    messages_to,
    ru,
)

TG = {"anna": 7001, "boris": 7002, "vera": 7003}


async def _register(
    factory, event_id: int, card: int, telegram_id: int | None = None, email: str | None = None
):
    async with factory() as session:
        row = await registration.register(
            session,
            event_id=event_id,
            correspondent_id=card,
            actor=Actor(telegram_id=telegram_id),
            telegram_id=telegram_id,
            email=email,
            ctx=CTX,
        )
        await session.commit()
        return row.id, row.status


async def test_two_seats_three_people_one_cancels_the_third_is_promoted(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=2)
    cards = {k: await make_person(session_factory, k.title(), tg) for k, tg in TG.items()}
    a = await _register(session_factory, event_id, cards["anna"], TG["anna"])
    b = await _register(session_factory, event_id, cards["boris"], TG["boris"])
    v = await _register(session_factory, event_id, cards["vera"], TG["vera"])
    assert [a[1], b[1], v[1]] == ["registered", "registered", "waitlist"]
    title = "Экскурсия по открытому хранению"
    assert (
        ru("✅ You are registered for «%(title)s».", title=title)
        in (await messages_to(session_factory, TG["anna"]))[0]
    )
    waiting_text = (await messages_to(session_factory, TG["vera"]))[0]
    assert "1" in waiting_text and title in waiting_text
    assert "Главный корпус, зал 3" in waiting_text

    # Registering again returns the same row and sends nothing new.
    again = await _register(session_factory, event_id, cards["vera"], TG["vera"])
    assert again == v and len(await messages_to(session_factory, TG["vera"])) == 1

    async with session_factory() as session:
        await registration.cancel_by_person(session, a[0], TG["anna"], CTX)
        await session.commit()
    vera = await messages_to(session_factory, TG["vera"])
    assert ru("🎉 A seat has freed up: you are now registered for «%(title)s».", title=title) in vera[-1]
    async with session_factory() as session:
        assert (await session.get(EventRegistration, v[0])).status == RegistrationStatus.REGISTERED
        assert (await counts(session, [event_id]))[event_id].registered == 2


async def test_someone_elses_registration_cannot_be_cancelled(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager)
    card = await make_person(session_factory, "Анна", TG["anna"])
    reg_id, _ = await _register(session_factory, event_id, card, TG["anna"])
    async with session_factory() as session:
        with pytest.raises(DomainError):
            await registration.cancel_by_person(session, reg_id, TG["boris"], CTX)


async def test_more_seats_promote_and_closed_events_refuse(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=1)
    first = await make_person(session_factory, "Первый", 7101)
    second = await make_person(session_factory, "Второй", 7102)
    await _register(session_factory, event_id, first, 7101)
    waiting = await _register(session_factory, event_id, second, 7102)
    assert waiting[1] == "waitlist"
    async with session_factory() as session:
        user = await session.get(User, manager)
        event = await session.get(MuseumEvent, event_id)
        data = EventInput(
            title=event.title, starts_at=utcnow() + timedelta(days=3), capacity=2, registration_open=False
        )
        await update_event(session, user, event_id, data, CTX)
        await session.commit()
    told = (await messages_to(session_factory, 7102))[-1]
    assert (
        ru("🎉 More seats have been added: you are now registered for «%(title)s».", title=event.title)
        in told
    )
    late = await make_person(session_factory, "Опоздавший", 7103)
    with pytest.raises(DomainError) as refused:
        await _register(session_factory, event_id, late, 7103)
    assert refused.value.message == "Registration for this event is closed."


async def test_last_seat_race_has_one_winner(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=1)
    cards = [await make_person(session_factory, f"Гость {i}", 7200 + i) for i in range(2)]

    async def attempt(card: int, tg: int) -> str:
        for _ in range(20):  # SQLite may report «database is locked» to the loser: it retries
            try:
                return (await _register(session_factory, event_id, card, tg))[1]
            except Exception as exc:
                if "locked" not in str(exc):
                    raise
                await asyncio.sleep(0.05)
        raise AssertionError("never got the lock")

    statuses = await asyncio.gather(attempt(cards[0], 7200), attempt(cards[1], 7201))
    assert sorted(statuses) == ["registered", "waitlist"]
    async with session_factory() as session:
        assert (await counts(session, [event_id]))[event_id].registered == 1


async def test_reminder_once_and_not_for_cancelled(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=None, starts_in=timedelta(hours=20))
    stays = await make_person(session_factory, "Остаётся", 7301)
    leaves = await make_person(session_factory, "Уходит", 7302)
    by_mail = await make_person(session_factory, "По почте")
    await _register(session_factory, event_id, stays, 7301)
    gone, _ = await _register(session_factory, event_id, leaves, 7302)
    await _register(session_factory, event_id, by_mail, email="guest@example.org")
    async with session_factory() as session:
        await registration.cancel_by_person(session, gone, 7302, CTX)
        await session.commit()

    first = await event_reminders(session_factory, CTX)
    second = await event_reminders(session_factory, CTX)
    assert (first.reminded, second.reminded) == (2, 0)
    reminders = [m for m in await messages_to(session_factory, 7301) if "⏰" in m]
    assert (
        len(reminders) == 1
        and ru("⏰ Reminder: «%(title)s» is coming up.", title="Экскурсия по открытому хранению")
        in reminders[0]
    )
    assert not [m for m in await messages_to(session_factory, 7302) if "⏰" in m]
    letters = await letters_to(session_factory, "guest@example.org")
    assert len(letters) == 2 and "⏰" in letters[-1].body  # the confirmation, then the reminder


async def test_reminder_waits_for_its_time(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, starts_in=timedelta(days=3), remind_hours=24)
    card = await make_person(session_factory, "Гость", 7401)
    await _register(session_factory, event_id, card, 7401)
    assert (await event_reminders(session_factory, CTX)).reminded == 0
    later = utcnow() + timedelta(days=2, hours=1)
    assert (await event_reminders(session_factory, CTX, now=later)).reminded == 1


async def test_cancelled_event_tells_everyone_and_attendance_counts(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=1)
    one = await make_person(session_factory, "Один", 7501)
    two = await make_person(session_factory, "Два", 7502)
    await _register(session_factory, event_id, one, 7501)
    await _register(session_factory, event_id, two, 7502)
    async with session_factory() as session:
        user = await session.get(User, manager)
        await cancel_event(session, user, event_id, CTX)
        await session.commit()
    expected = ru(
        "❌ The event «%(title)s» is cancelled. We apologise.", title="Экскурсия по открытому хранению"
    )
    assert expected in (await messages_to(session_factory, 7501))[-1]
    assert expected in (await messages_to(session_factory, 7502))[-1]
    with pytest.raises(DomainError):
        await _register(session_factory, event_id, await make_person(session_factory, "Три", 7503), 7503)


async def test_attendance_feeds_the_segment_query(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=None)
    came = await make_person(session_factory, "Пришла", 7601)
    missed = await make_person(session_factory, "Не пришёл", 7602)
    r1, _ = await _register(session_factory, event_id, came, 7601)
    await _register(session_factory, event_id, missed, 7602)
    async with session_factory() as session:
        user = await session.get(User, manager)
        await registration.mark_attendance(session, user, r1, True)
        assert await registration.mark_all(session, user, event_id, False) == 1
        await session.commit()
    async with session_factory() as session:
        assert await attendee_ids(session, programme="Открытое хранение") == {came}
        c = (await counts(session, [event_id]))[event_id]
        assert (c.attended, c.missed) == (1, 1)
        rows = (
            await session.scalars(select(EventRegistration).where(EventRegistration.event_id == event_id))
        ).all()
        assert {r.attendance_marked_by_id for r in rows} == {manager}


async def test_registering_again_after_cancelling(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=None, starts_in=timedelta(hours=10))
    card = await make_person(session_factory, "Передумавшая", 7701)
    first, _ = await _register(session_factory, event_id, card, 7701)
    assert (await event_reminders(session_factory, CTX)).reminded == 1
    async with session_factory() as session:
        await registration.cancel_by_person(session, first, 7701, CTX)
        await session.commit()
    again, status = await _register(session_factory, event_id, card, 7701)
    assert (again, status) == (first, "registered")  # the same row, a seat again
    assert (await event_reminders(session_factory, CTX)).queued == 1
    texts = await messages_to(session_factory, 7701)
    registered = ru("✅ You are registered for «%(title)s».", title="Экскурсия по открытому хранению")
    assert [t.split("\n")[0] for t in texts].count(registered) == 2
    assert sum("⏰" in t for t in texts) == 2


async def test_a_form_in_english_gets_letters_in_english(session_factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=1)
    seated = await make_person(session_factory, "Первая", 7801)
    guest = await make_person(session_factory, "John Smith")
    async with session_factory() as session:
        form = Form(slug="tour", title_ru="Запись на экскурсию", purpose="event", event_id=event_id)
        session.add(form)
        await session.flush()
        answer = FormSubmission(form_id=form.id, correspondent_id=guest, channel="web", locale="en")
        session.add(answer)
        await session.commit()
        submission_id = answer.id
    seat, _ = await _register(session_factory, event_id, seated, 7801)
    async with session_factory() as session:
        await registration.register(
            session,
            event_id=event_id,
            correspondent_id=guest,
            actor=Actor.system("form"),
            email="john@example.org",
            submission_id=submission_id,
            locale="en",
            ctx=CTX,
        )
        await session.commit()
    async with session_factory() as session:
        await registration.cancel_by_person(session, seat, 7801, CTX)
        await session.commit()
    letters = await letters_to(session_factory, "john@example.org")
    assert [letter.subject for letter in letters] == [
        "Waiting list for «Экскурсия по открытому хранению»",
        "A seat for «Экскурсия по открытому хранению»",
    ]
    assert "number 1" in letters[0].body and "When: " in letters[1].body
