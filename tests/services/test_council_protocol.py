"""The issue's test: a meeting of 5 members (4 present) decides three reviewed applications — one
approved by a majority, one rejected, one a tie decided by the chair's vote — and its protocol in
DOCX and PDF says exactly that: the number, the date, who was present and absent, each item's votes
and decision. Closing applies the decisions and fills the registry."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import docx
import pypdf
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, RegistryEntry, utcnow
from models.enums import ApplicationStatus, MeetingStatus, Vote
from services.council import agenda, meetings, protocol_files, voting
from tests.services.council_support import HELD_AT, actor, make_people, make_type, reviewed_application

TZ = ZoneInfo("Europe/Moscow")


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())


async def held_meeting(session: AsyncSession, held_at: datetime = HELD_AT):  # type: ignore[no-untyped-def]
    people = await make_people(session)
    sec = actor(people["secretary"])
    kind = await make_type(session)
    reviewers = [people["outsider"], people["secretary"]]
    apps = [
        await reviewed_application(
            session, kind, 1, "Паровоз Ов-324", "Музей железной дороги", [9, 8], reviewers
        ),
        await reviewed_application(
            session, kind, 2, "Арифмометр «Феликс»", "Музей вычислительной техники", [4, 5], reviewers
        ),
        await reviewed_application(session, kind, 3, "Телескоп АЗТ-7", "Музей астрономии", [7, 7], reviewers),
    ]
    members = [people[f"m{n}"] for n in range(1, 6)]
    meeting = await meetings.create_meeting(
        session,
        sec,
        meetings.MeetingInput(
            held_at=held_at,
            place="Зал заседаний",
            chair_id=members[0].id,
            secretary_id=people["secretary"].id,
            member_ids=tuple(m.id for m in members),
        ),
    )
    for application in apps:
        await agenda.add_item(session, sec, meeting.id, application.id)
    await voting.set_attendance(session, sec, meeting.id, {m.id for m in members[:4]})  # the fifth is absent
    items = await agenda.items(session, meeting.id)
    ballots = [
        [Vote.FOR, Vote.FOR, Vote.FOR, Vote.AGAINST],  # 3 of 4 for → approved
        [Vote.FOR, Vote.AGAINST, Vote.AGAINST, Vote.ABSTAIN],  # 1 for → rejected
        [Vote.FOR, Vote.AGAINST, Vote.FOR, Vote.AGAINST],  # 2 : 2, the chair (first) for → approved
    ]
    for item, votes in zip(items, ballots, strict=True):
        for member, vote in zip(members, votes, strict=False):
            await voting.cast_vote(session, actor(member), meeting.id, item.id, vote)
        await voting.decide_item(session, sec, meeting.id, item.id)
    await voting.close_meeting(session, sec, meeting.id)
    await session.commit()
    return people, meeting, apps


async def test_the_protocol_says_who_was_there_how_each_item_was_voted_and_decided(
    session: AsyncSession,
) -> None:
    _people, meeting, _apps = await held_meeting(session)
    docx_bytes, name = await protocol_files.protocol_file(session, meeting.id, "docx", locale="ru", tz=TZ)
    pdf_bytes, _ = await protocol_files.protocol_file(session, meeting.id, "pdf", locale="ru", tz=TZ)
    assert name == f"protocol-{meeting.number}.docx" and meeting.number == "ЭС-2026-01"
    for text in (docx_text(docx_bytes), pdf_text(pdf_bytes)):
        expected = [
            "Протокол заседания экспертного совета № ЭС-2026-01",
            "Дата: 10.12.2026 15:00",
            "Место: Зал заседаний",
            "Председатель: Орлова Анна Петровна",
            "Секретарь: Секретарёва Ольга Ивановна",
            "Присутствовали (4): Белов Игорь Сергеевич, Зайцева Мария Олеговна, Кузнецов Павел Андреевич, "
            "Орлова Анна Петровна",
            "Отсутствовали (1): Смирнов Олег Викторович",
            "Кворум: присутствуют 4 из 5 членов совета — кворум есть.",
            "1. З-2026-0001 — Паровоз Ов-324",
            "Заявка: З-2026-0001, «Паровоз Ов-324»",
            "Заявитель: Музей железной дороги",
            "Средняя оценка экспертов: 8,5 из 10 (рецензий: 2).",
            "Голосовали: за — 3, против — 1, воздержались — 0. Решение: одобрено.",
            "Заявитель: Музей вычислительной техники",
            "Средняя оценка экспертов: 4,5 из 10 (рецензий: 2).",
            "Голосовали: за — 1, против — 2, воздержались — 1. Решение: отклонено.",
            "Заявитель: Музей астрономии",
            "Голосовали: за — 2, против — 2, воздержались — 0. Решение: одобрено. "
            "Голоса разделились поровну: решил голос председателя.",
            "Председатель ________________ Орлова Анна Петровна",
            "Секретарь ________________ Секретарёва Ольга Ивановна",
        ]
        for line in expected:
            assert line in text, (line, text)


async def test_closing_applies_the_decisions_and_fills_the_registry(session: AsyncSession) -> None:
    _people, meeting, apps = await held_meeting(session)
    assert meeting.status == MeetingStatus.HELD
    statuses = [(await session.get(Application, a.id)).status for a in apps]  # type: ignore[union-attr]
    assert statuses == [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.APPROVED]
    first = await session.get(Application, apps[0].id)
    assert first is not None and "ЭС-2026-01" in (first.decision_text or "")
    entries = list(await session.scalars(select(RegistryEntry).order_by(RegistryEntry.number)))
    assert [(e.title, e.holder, e.meeting_id, e.published) for e in entries] == [
        ("Паровоз Ов-324", "Музей железной дороги", meeting.id, True),
        ("Телескоп АЗТ-7", "Музей астрономии", meeting.id, True),
    ]


async def test_the_registry_dates_an_approval_by_its_meeting(session: AsyncSession) -> None:
    """The protocol is recorded days after the meeting: the objects were approved on the meeting's day."""
    held_at = (utcnow() - timedelta(days=10)).replace(hour=12, minute=0, second=0, microsecond=0)
    _people, meeting, _apps = await held_meeting(session, held_at)
    entries = list(await session.scalars(select(RegistryEntry).where(RegistryEntry.meeting_id == meeting.id)))
    assert len(entries) == 2
    assert {e.approved_on for e in entries} == {held_at.date()}  # the meeting's day
