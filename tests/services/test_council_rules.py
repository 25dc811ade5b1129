"""The council's refusals as a member or the secretary meets them: no quorum, a non-member's vote, a
vote of an absent member, a vote after closing, closing with an item undecided, someone who is not
an organiser creating a meeting; the members told of the meeting through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, CouncilMeeting, OutboxMessage, TelegramAccount
from models.enums import ApplicationDecision, ApplicationStatus, MeetingStatus, Vote
from services.council import agenda, meetings, notices, voting
from services.errors import InvalidInput, PermissionDenied
from services.notify import NoticeContext
from tests.services.council_support import HELD_AT, actor, make_people, make_type, reviewed_application


async def planned(session: AsyncSession, n_apps: int = 1):  # type: ignore[no-untyped-def]
    people = await make_people(session)
    kind = await make_type(session)
    apps = [
        await reviewed_application(session, kind, n, f"Объект {n}", "Музей", [8], [people["outsider"]])
        for n in range(1, n_apps + 1)
    ]
    members = [people[f"m{n}"] for n in range(1, 6)]
    meeting = await meetings.create_meeting(
        session,
        actor(people["secretary"]),
        meetings.MeetingInput(
            held_at=HELD_AT,
            place="Зал",
            chair_id=members[0].id,
            secretary_id=people["secretary"].id,
            member_ids=tuple(m.id for m in members),
        ),
    )
    for application in apps:
        await agenda.add_item(session, actor(people["secretary"]), meeting.id, application.id)
    items = await agenda.items(session, meeting.id)
    return people, members, meeting, apps, items


async def test_without_quorum_nothing_is_decided(session: AsyncSession) -> None:
    people, members, meeting, _apps, items = await planned(session)
    sec = actor(people["secretary"])
    await voting.set_attendance(session, sec, meeting.id, {members[0].id, members[1].id})  # 2 of 5
    await voting.cast_vote(session, actor(members[0]), meeting.id, items[0].id, Vote.FOR)
    with pytest.raises(InvalidInput) as refused:
        await voting.decide_item(session, sec, meeting.id, items[0].id)
    assert refused.value.params == {"present": 2, "total": 5}
    with pytest.raises(InvalidInput):
        await voting.close_meeting(session, sec, meeting.id)
    await voting.set_attendance(session, sec, meeting.id, {m.id for m in members[:3]})  # 3 of 5: a quorum
    item = await voting.decide_item(session, sec, meeting.id, items[0].id)
    assert item.decision == ApplicationDecision.REJECTED  # 1 «for» of 3 present


async def test_only_present_members_vote_for_themselves(session: AsyncSession) -> None:
    people, members, meeting, _apps, items = await planned(session)
    await voting.set_attendance(session, actor(people["secretary"]), meeting.id, {m.id for m in members[:4]})
    for stranger in (people["outsider"], people["secretary"]):
        with pytest.raises(PermissionDenied):
            await voting.cast_vote(session, actor(stranger), meeting.id, items[0].id, Vote.FOR)
    with pytest.raises(PermissionDenied):  # the fifth is absent
        await voting.cast_vote(session, actor(members[4]), meeting.id, items[0].id, Vote.FOR)
    await voting.cast_vote(session, actor(members[1]), meeting.id, items[0].id, Vote.AGAINST)
    await voting.cast_vote(session, actor(members[1]), meeting.id, items[0].id, Vote.FOR)  # changed
    assert await voting.votes(session, items[0].id) == {members[1].id: Vote.FOR}


async def test_no_vote_after_the_item_is_decided_or_the_meeting_closed(session: AsyncSession) -> None:
    people, members, meeting, apps, items = await planned(session, n_apps=2)
    sec = actor(people["secretary"])
    await voting.set_attendance(session, sec, meeting.id, {m.id for m in members})
    for member in members[:3]:
        await voting.cast_vote(session, actor(member), meeting.id, items[0].id, Vote.FOR)
    await voting.decide_item(session, sec, meeting.id, items[0].id)
    with pytest.raises(InvalidInput):
        await voting.cast_vote(session, actor(members[3]), meeting.id, items[0].id, Vote.AGAINST)
    with pytest.raises(InvalidInput):  # the second item is undecided
        await voting.close_meeting(session, sec, meeting.id)
    with pytest.raises(InvalidInput):  # «needs more» needs the proposal's text
        await voting.decide_item(session, sec, meeting.id, items[1].id, needs_more=" ")
    await voting.decide_item(session, sec, meeting.id, items[1].id, needs_more="Приложить фотографии объекта")
    await voting.close_meeting(session, sec, meeting.id)
    with pytest.raises(InvalidInput):
        await voting.cast_vote(session, actor(members[0]), meeting.id, items[1].id, Vote.FOR)
    statuses = [(await session.get(type(a), a.id)).status for a in apps]  # type: ignore[union-attr]
    assert statuses == [ApplicationStatus.APPROVED, ApplicationStatus.NEEDS_MORE]


async def test_only_organisers_run_the_council_and_a_cancelled_meeting_frees_its_agenda(
    session: AsyncSession,
) -> None:
    people, members, meeting, apps, _items = await planned(session)
    data = meetings.MeetingInput(
        held_at=HELD_AT,
        place="",
        chair_id=members[0].id,
        secretary_id=members[1].id,
        member_ids=tuple(m.id for m in members),
    )
    with pytest.raises(PermissionDenied):
        await meetings.create_meeting(session, actor(members[0]), data)
    assert (await session.get(type(apps[0]), apps[0].id)).status == ApplicationStatus.ON_COUNCIL  # type: ignore[union-attr]
    second = await meetings.create_meeting(session, actor(people["secretary"]), data)
    assert second.number == "ЭС-2026-02"
    with pytest.raises(InvalidInput):  # already on the first meeting's agenda
        await agenda.add_item(session, actor(people["secretary"]), second.id, apps[0].id)
    await agenda.cancel_meeting(session, actor(people["secretary"]), meeting.id)
    assert (await session.get(CouncilMeeting, meeting.id)).status == MeetingStatus.CANCELLED  # type: ignore[union-attr]
    assert (await session.get(type(apps[0]), apps[0].id)).status == ApplicationStatus.REVIEWED  # type: ignore[union-attr]
    await agenda.add_item(session, actor(people["secretary"]), second.id, apps[0].id)


async def test_members_are_told_of_the_meeting_with_its_date_and_agenda(session: AsyncSession) -> None:
    people, members, meeting, _apps, _items = await planned(session)
    members[0].telegram_id = 7001
    session.add(TelegramAccount(id=7002, chat_id=7002, first_name="Игорь", user_id=members[1].id))
    await session.flush()
    ctx = NoticeContext(panel_url="https://panel.example.ru")
    assert await notices.announce(session, actor(people["secretary"]), meeting.id, ctx) == 2
    assert await notices.announce(session, actor(people["secretary"]), meeting.id, ctx) == 0  # once
    rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id)))
    assert [r.chat_id for r in rows] == [7001, 7002]
    text = rows[0].payload["text"]
    for expected in (
        "Заседание экспертного совета № ЭС-2026-01",
        "10.12.2026 15:00",
        "Где: Зал",
        "1. З-2026-0001 — Объект 1",
        f"https://panel.example.ru/council/{meeting.id}",
    ):
        assert expected in text, (expected, text)


async def test_a_meeting_on_new_years_night_is_numbered_in_the_local_year(session: AsyncSession) -> None:
    """01:30 on 1 January in Moscow is still 31 December in UTC: the number takes the local year."""
    people = await make_people(session)
    members = [people[f"m{n}"] for n in range(1, 4)]
    data = meetings.MeetingInput(
        held_at=datetime(2026, 12, 31, 22, 30, tzinfo=UTC),
        place="Зал",
        chair_id=members[0].id,
        secretary_id=people["secretary"].id,
        member_ids=tuple(m.id for m in members),
    )
    moscow = ZoneInfo("Europe/Moscow")
    first = await meetings.create_meeting(session, actor(people["secretary"]), data, tz=moscow)
    assert first.number == "ЭС-2027-01"
    same_night_in_utc = await meetings.create_meeting(session, actor(people["secretary"]), data)
    assert same_night_in_utc.number == "ЭС-2026-01"


async def test_a_meeting_moved_into_the_next_year_takes_that_years_number(session: AsyncSession) -> None:
    """Postponed from December to January, the meeting is numbered among January's year; the audit
    keeps the number it had. Moved within its year, it keeps it."""
    people, members, meeting, _apps, _items = await planned(session)
    moscow = ZoneInfo("Europe/Moscow")
    sec = actor(people["secretary"])

    def moved(held_at: datetime) -> meetings.MeetingInput:
        return meetings.MeetingInput(
            held_at=held_at,
            place="Зал",
            chair_id=members[0].id,
            secretary_id=people["secretary"].id,
            member_ids=tuple(m.id for m in members),
        )

    await meetings.edit_meeting(
        session, sec, meeting.id, moved(datetime(2026, 12, 20, 9, 0, tzinfo=UTC)), tz=moscow
    )
    assert meeting.number == "ЭС-2026-01"
    # 00:30 on 1 January in Moscow: 31 December in UTC, already the new year where the council sits.
    await meetings.edit_meeting(
        session, sec, meeting.id, moved(datetime(2026, 12, 31, 21, 30, tzinfo=UTC)), tz=moscow
    )
    assert meeting.number == "ЭС-2027-01"
    later = await meetings.create_meeting(
        session, sec, moved(datetime(2027, 2, 1, 9, 0, tzinfo=UTC)), tz=moscow
    )
    assert later.number == "ЭС-2027-02"
    edits = list(
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "council_meeting", AuditEvent.action == "edit")
            .order_by(AuditEvent.id)
        )
    )
    assert "number_before" not in edits[0].data
    assert (edits[1].data["number_before"], edits[1].data["number"]) == ("ЭС-2026-01", "ЭС-2027-01")


async def test_a_changed_place_is_announced_again_whatever_its_length(session: AsyncSession) -> None:
    people, members, meeting, _apps, _items = await planned(session)
    members[0].telegram_id = 7001
    await session.flush()
    sec = actor(people["secretary"])
    ctx = NoticeContext(panel_url="https://panel.example.ru")
    assert await notices.announce(session, sec, meeting.id, ctx) == 1
    data = meetings.MeetingInput(
        held_at=HELD_AT,
        place="Цех",  # as long as «Зал»: the members must still hear of the new room
        chair_id=members[0].id,
        secretary_id=people["secretary"].id,
        member_ids=tuple(m.id for m in members),
    )
    await meetings.edit_meeting(session, sec, meeting.id, data)
    assert await notices.announce(session, sec, meeting.id, ctx) == 1
    assert await notices.announce(session, sec, meeting.id, ctx) == 0
    texts = [
        r.payload["text"] for r in await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]
    assert ["Где: Зал" in t for t in texts] == [True, False]
    assert "Где: Цех" in texts[1]
