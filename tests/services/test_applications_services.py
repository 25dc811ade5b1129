"""Applications in the services: numbering, reviews and their checks, decisions in each channel,
more information, the registry and the council's entry points."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import CouncilAgendaItem, CouncilMeeting, MailOutbox, OutboxMessage, RegistryEntry, utcnow
from models.enums import ApplicationStatus
from porucheno.i18n import gettext
from services.applications import decisions, intake, queries, reviews
from services.audit import Actor
from services.council import registry as council_registry
from services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.applications_support import RESIDENT_TG, make_setup

GOOD = {"c1": 9, "c2": 8, "c3": 4}


async def _texts(session, chat_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
    )
    return [r.payload["text"] for r in rows]


async def test_application_numbered_reviewed_and_approved_into_registry(session) -> None:  # type: ignore[no-untyped-def]
    s = await make_setup(session)
    first = await s.submit(session, key="a")
    second = await s.submit(session, key="b", title="Станок")
    assert first.number.startswith("З-") and first.number.endswith("-0001")
    assert second.number.endswith("-0002")
    assert first.status == ApplicationStatus.IN_REVIEW
    assert any("Белов" not in t and "Паровоз Эу-684" in t for t in await _texts(session, s.first.telegram_id))
    assert any(first.number in t for t in await _texts(session, RESIDENT_TG))

    await reviews.submit_review(
        session, first.id, reviews.ReviewInput(GOOD, "Ценный", "approved"), reviewer=s.first
    )
    assert first.status == ApplicationStatus.IN_REVIEW
    await reviews.submit_review(
        session, first.id, reviews.ReviewInput({"c1": 7, "c2": 7, "c3": 3}), reviewer=s.second
    )
    assert first.status == ApplicationStatus.REVIEWED
    assert any(
        gettext("ru", "All reviews are in: a decision is due") in t
        for t in await _texts(session, s.manager.telegram_id)
    )

    await decisions.decide(session, first.id, "approved", "Включить в реестр", actor=s.manager)
    assert first.status == ApplicationStatus.APPROVED
    entry = await session.scalar(select(RegistryEntry).where(RegistryEntry.application_id == first.id))
    assert entry is not None and entry.published and entry.title == "Паровоз Эу-684"
    told = (await _texts(session, RESIDENT_TG))[-1]
    assert "Включить в реестр" in told and entry.number in told
    page = await council_registry.search(session, "Эу-684")
    assert [e.id for e in page.entries] == [entry.id]
    await council_registry.set_published(session, Actor(user_id=s.manager.id), entry.id, False)
    assert (await council_registry.search(session)).total == 0


async def test_review_refusals(session) -> None:  # type: ignore[no-untyped-def]
    s = await make_setup(session)
    app = await s.submit(session)
    with pytest.raises(PermissionDenied):
        await reviews.submit_review(session, app.id, reviews.ReviewInput(GOOD), reviewer=s.stranger)
    with pytest.raises(InvalidInput):
        await reviews.submit_review(
            session, app.id, reviews.ReviewInput({"c1": 11, "c2": 1, "c3": 1}), reviewer=s.first
        )
    with pytest.raises(InvalidInput):
        await reviews.submit_review(
            session, app.id, reviews.ReviewInput({"c1": 1, "c2": 1}), reviewer=s.first
        )
    with pytest.raises(InvalidInput):
        await reviews.submit_review(
            session, app.id, reviews.ReviewInput({"c1": -1, "c2": 1, "c3": 1}), reviewer=s.first
        )
    with pytest.raises(PermissionDenied):
        await decisions.decide(session, app.id, "approved", "", actor=s.first)
    with pytest.raises(NotFound):
        await decisions.decide(session, 10**9, "approved", "", actor=s.manager)


async def test_email_applicant_gets_the_decision_by_mail(session) -> None:  # type: ignore[no-untyped-def]
    s = await make_setup(session, to_registry=False)
    app = await s.submit(session, telegram_id=None, email="museum@example.org")
    await decisions.decide(session, app.id, "rejected", "Не подходит под критерии", actor=s.manager)
    letters = list(
        await session.scalars(select(MailOutbox).where(MailOutbox.to_address == "museum@example.org"))
    )
    assert len(letters) == 2  # received, then the decision
    assert app.number in letters[-1].subject and "Не подходит под критерии" in letters[-1].body
    assert await session.scalar(select(RegistryEntry)) is None


async def test_needs_more_then_added_returns_to_review(session) -> None:  # type: ignore[no-untyped-def]
    s = await make_setup(session)
    app = await s.submit(session)
    for who in (s.first, s.second):
        await reviews.submit_review(session, app.id, reviews.ReviewInput(GOOD), reviewer=who)
    with pytest.raises(InvalidInput):
        await decisions.decide(session, app.id, "needs_more", "", actor=s.manager)
    await decisions.decide(session, app.id, "needs_more", "Пришлите фото таблички", actor=s.manager)
    assert app.status == ApplicationStatus.NEEDS_MORE
    with pytest.raises(NotFound):
        await decisions.add_information(session, app.id, "чужое", telegram_id=RESIDENT_TG + 1)
    await decisions.add_information(session, app.id, "Табличка: завод Коломна 1912", telegram_id=RESIDENT_TG)
    assert app.status == ApplicationStatus.IN_REVIEW and "Коломна" in app.summary
    assert any(
        gettext("ru", "The applicant added information: please review again") in t
        for t in await _texts(session, s.first.telegram_id)
    )


async def test_council_type_goes_through_the_council(session) -> None:  # type: ignore[no-untyped-def]
    s = await make_setup(session, needs_council=True)
    app = await s.submit(session)
    for who in (s.first, s.second):
        await reviews.submit_review(session, app.id, reviews.ReviewInput(GOOD), reviewer=who)
    with pytest.raises(InvalidInput):
        await decisions.decide(session, app.id, "approved", "", actor=s.manager)
    assert [a.id for a in await queries.ready_for_council(session)] == [app.id]
    meeting = CouncilMeeting(number="ЭС-1", held_at=utcnow())
    session.add(meeting)
    await session.flush()
    with pytest.raises(InvalidInput):  # «on the council» only on a meeting's agenda
        await decisions.mark_on_council(session, app.id, actor=s.manager, meeting_id=meeting.id)
    assert app.status == ApplicationStatus.REVIEWED
    session.add(CouncilAgendaItem(meeting_id=meeting.id, application_id=app.id, position=1))
    await session.flush()
    await decisions.mark_on_council(session, app.id, actor=s.manager, meeting_id=meeting.id)
    assert await queries.ready_for_council(session) == []
    assert app.status == ApplicationStatus.ON_COUNCIL
    await decisions.decide(
        session, app.id, "approved", "Решение совета", actor=s.manager, meeting_id=meeting.id
    )
    entry = await session.scalar(select(RegistryEntry).where(RegistryEntry.application_id == app.id))
    assert entry is not None and entry.meeting_id == meeting.id
    assert app.status == ApplicationStatus.APPROVED and app.decision_text == "Решение совета"


async def test_numbers_and_approval_date_follow_the_local_new_year(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # 22:30 UTC on 31 December is 01:30 on 1 January in Moscow: the institution's new year.
    new_year_night = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    for module in (intake, decisions):
        monkeypatch.setattr(module, "utcnow", lambda: new_year_night)
    s = await make_setup(session)
    app = await s.submit(session)
    assert app.number == "З-2027-0001"
    await reviews.submit_review(session, app.id, reviews.ReviewInput(GOOD), reviewer=s.first)
    await reviews.submit_review(session, app.id, reviews.ReviewInput(GOOD), reviewer=s.second)
    await decisions.decide(session, app.id, "approved", "Включить в реестр", actor=s.manager)
    entry = await session.scalar(select(RegistryEntry).where(RegistryEntry.application_id == app.id))
    assert entry is not None
    assert (entry.number, entry.approved_on) == ("Р-2027-0001", date(2027, 1, 1))
    assert entry.number in (await _texts(session, RESIDENT_TG))[-1]  # what the applicant is told
