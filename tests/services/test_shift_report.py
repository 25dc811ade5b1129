"""The shift hand-over report: exactly what is open and what changed during the period, the same in
the data, the Telegram text, the XLSX sheet and the PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Building, OutageSignal, ShiftHandover, User
from models.enums import IncidentKind, InformantKind, PublishMode, Role, SignalStatus
from services import staff
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.incidents import journal, shift, shift_files, shift_render, updates
from services.notify import NoticeContext, Translator
from services.offload import Offload
from services.outages import lifecycle
from services.partners import directory

MSK = ZoneInfo("Europe/Moscow")
CTX = NoticeContext()
RU = Translator("ru")
NOW = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)  # 08:00 in Moscow: the morning hand-over
SINCE = NOW - timedelta(hours=12)  # the evening hand-over before it


@dataclass
class World:
    dispatcher: User
    worker: User
    numbers: dict[str, str]  # incident letter -> journal number
    outages: dict[str, int]


async def _incident(
    session: AsyncSession, user: User, house: int, received: datetime, text: str, org: int | None = None
) -> int:
    data = journal.NewIncident(
        kind=IncidentKind.FALLEN_TREE,
        received_at=received,
        informant_kind=InformantKind.RESIDENT,
        description=text,
        building_id=house,
        responsible_organisation_id=org,
    )
    return (await journal.log_incident(session, user, data, tz=MSK, now=received)).id


async def _outage(
    session: AsyncSession, user: User, houses: list[int], published: datetime, text: str
) -> int:
    outage = await lifecycle.create_outage(
        session,
        user,
        lifecycle.NewOutage(
            kind="accident",
            resource="cold_water",
            building_ids=houses,
            starts_at=published - timedelta(minutes=30),
            expected_end_at=published + timedelta(hours=30),
            description=text,
        ),
        now=published - timedelta(minutes=10),
    )
    await lifecycle.publish(session, CTX, user, outage.id, now=published)
    return outage.id


async def _resolve(session: AsyncSession, user: User, outage_id: int, at: datetime) -> None:
    await lifecycle.resolve(session, CTX, user, outage_id, at, now=at)
    # The audit stamps the real clock; this history happened at ``at``.
    await session.execute(
        update(AuditEvent)
        .where(
            AuditEvent.entity_type == "outage",
            AuditEvent.entity_id == outage_id,
            AuditEvent.action == "resolve",
        )
        .values(at=at)
    )


async def _world(session: AsyncSession) -> World:
    sys = Actor.system("t")
    admin = await staff.create_user(session, sys, full_name="Админ", roles=[Role.ADMIN])
    dispatcher = await staff.create_user(session, sys, full_name="Дина Диспетчерова", roles=[Role.DISPATCHER])
    org = await directory.create_organisation(
        session,
        Actor(user_id=admin.id),
        directory.OrganisationInput(name="УК «Уют»", short_name="Уют", publish_mode=PublishMode.APPROVAL),
    )
    worker = await staff.create_user(
        session, sys, full_name="Мастер Уюта", roles=[Role.EXECUTOR], department_id=org.department_id
    )
    houses = []
    for n in ("1", "3"):
        b = Building(street="ул. Ленина", street_key="ленина", house=n, house_key=n, house_number=int(n))
        session.add(b)
        await session.flush()
        houses.append(b.id)
    session.add(
        ShiftHandover(handed_by_id=dispatcher.id, period_start=SINCE - timedelta(hours=12), period_end=SINCE)
    )

    # A: received before the period, still open, acted on during it.
    a = await _incident(session, dispatcher, houses[0], NOW - timedelta(hours=20), "Упало дерево у дома")
    await journal.add_action(
        session,
        dispatcher,
        a,
        journal.ActionInput("Бригада выехала на распил", occurred_at=NOW - timedelta(hours=2)),
        now=NOW - timedelta(hours=2),
    )
    # B: received and closed during the period.
    b = await _incident(session, dispatcher, houses[1], NOW - timedelta(hours=3), "Ветка на тротуаре")
    await journal.close_incident(session, dispatcher, b, "Ветку убрали", now=NOW - timedelta(hours=1))
    # C: received and closed before the period: not in the report.
    c = await _incident(session, dispatcher, houses[1], NOW - timedelta(hours=30), "Старое происшествие")
    await journal.close_incident(session, dispatcher, c, "Давно закрыто", now=NOW - timedelta(hours=15))
    # D: received during the period, handed to the organisation, which reported (awaits approval).
    d = await _incident(session, dispatcher, houses[0], NOW - timedelta(hours=5), "Обрыв провода", org.id)
    await updates.post_report(
        session,
        worker,
        updates.Target("incident", d),
        updates.FieldReport("Провод заменим к обеду"),
        now=NOW - timedelta(hours=4),
    )

    x = await _outage(
        session, dispatcher, houses, NOW - timedelta(hours=4), "Порыв водовода"
    )  # announced now
    y = await _outage(session, dispatcher, [houses[0]], SINCE - timedelta(hours=6), "Замена задвижки")
    await _resolve(session, dispatcher, y, NOW - timedelta(hours=6))  # ended during the period
    z = await _outage(session, dispatcher, [houses[1]], SINCE - timedelta(hours=20), "Прошлый ремонт")
    await _resolve(session, dispatcher, z, SINCE - timedelta(hours=2))  # ended before it

    session.add(
        OutageSignal(
            building_id=houses[1],
            resource="heating",
            text="Холодные батареи",
            created_at=NOW - timedelta(hours=1),
        )
    )
    session.add(
        OutageSignal(
            building_id=houses[0],
            resource="cold_water",
            text="Нет воды",
            status=SignalStatus.LINKED,
            outage_id=x,
            created_at=NOW - timedelta(hours=3),
        )
    )
    await session.flush()
    numbers = {}
    for letter, incident_id in zip("abcd", (a, b, c, d), strict=True):
        numbers[letter] = (await journal.get_incident(session, incident_id)).journal_number
    return World(dispatcher, worker, numbers, {"x": x, "y": y, "z": z})


def _numbers(rows: list[shift.IncidentRow]) -> list[str]:
    return [r.incident.journal_number for r in rows]


async def test_the_report_lists_exactly_what_is_open_and_what_changed(session: AsyncSession) -> None:
    w = await _world(session)
    n = w.numbers
    report = await shift.shift_report(session, now=NOW)

    assert (report.since, report.until) == (SINCE, NOW)  # from the previous hand-over
    assert _numbers(report.open_incidents) == [n["d"], n["a"]]  # newest first
    assert report.open_incidents[1].last is not None
    assert report.open_incidents[1].last.text == "Бригада выехала на распил"
    assert report.open_incidents[0].organisation == "Уют"
    assert _numbers(report.logged) == [n["b"], n["d"]]  # newest first
    assert _numbers(report.closed) == [n["b"]]
    assert [(r.outage.id, r.houses) for r in report.open_outages] == [(w.outages["x"], 2)]
    assert [r.outage.id for r in report.published_outages] == [w.outages["x"]]
    assert [r.outage.id for r in report.resolved_outages] == [w.outages["y"]]
    texts = [r.update.text for r in report.updates]
    assert (
        "Бригада выехала на распил" in texts and "Ветку убрали" in texts and "Провод заменим к обеду" in texts
    )
    assert "Давно закрыто" not in texts
    assert [r.update.text for r in report.pending] == ["Провод заменим к обеду"]
    assert [r.signal.text for r in report.new_signals] == ["Холодные батареи"]

    text = shift_render.report_text(report, CTX, RU, note="Следить за Ленина, 1")
    assert "Сдача смены" in text and "04.12.2026 08:00" in text
    assert f"№ {n['a']}" in text and "Бригада выехала на распил" in text
    assert f"№ {n['c']}" not in text and "Прошлый ремонт" not in text
    assert "Следить за Ленина, 1" in text and len(text) <= 4096

    sheet = shift_files.sheet_of(report, CTX, RU, None, None)
    book = load_workbook(io.BytesIO(shift_files.sheet_workbook(sheet, CTX, RU)))
    cells = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    firsts = [row[0] for row in cells]
    open_at = firsts.index("Открытые происшествия: 2")
    assert firsts[open_at + 2 : open_at + 4] == [n["d"], n["a"]]
    assert cells[open_at + 3][3] == "ул. Ленина, 1"
    assert cells[open_at + 3][2] == datetime(2026, 12, 3, 12, 0)  # local time, 20 h before 08:00
    assert "Бригада выехала на распил" in cells[open_at + 3][6]
    assert n["c"] not in firsts
    assert "Отключения, завершённые за смену: 1" in firsts
    assert "Отключения, объявленные за смену: 1" in firsts

    pdf = PdfReader(io.BytesIO(shift_files.sheet_pdf(sheet, CTX, RU)))
    words = " ".join(page.extract_text() for page in pdf.pages)
    assert n["a"] in words and n["d"] in words and n["c"] not in words
    assert "Холодные батареи" in words and "Прошлый ремонт" not in words


async def test_the_files_are_built_in_the_render_pool(session: AsyncSession, render_pool: Offload) -> None:
    # The bot's hand-over and the panel's downloads send the workbook and the PDF to the render
    # process (openpyxl and fpdf2 hold the GIL); the report's rows are database objects, so what
    # goes there is the plain sheet built from them.
    w = await _world(session)
    report = await shift.shift_report(session, now=NOW)
    render_pool.clear()
    misses = render_pool.misses
    xlsx, pdf = await shift_files.report_files(
        report, CTX, RU, note="Следить за Ленина, 1", handed_by="Дежурный", offload=render_pool
    )
    assert render_pool.misses == misses + 2
    firsts = [row[0] for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)]
    assert "Открытые происшествия: 2" in firsts and w.numbers["a"] in firsts
    assert ["Примечание" in str(f) for f in firsts].count(True) == 1
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Дежурный" in words and w.numbers["d"] in words
    again = await shift_files.report_file(
        "pdf", report, CTX, RU, note="Следить за Ленина, 1", handed_by="Дежурный", offload=render_pool
    )
    assert again == pdf and render_pool.misses == misses + 2  # the same inputs: from the cache


async def test_a_long_report_is_cut_and_points_to_the_files(session: AsyncSession) -> None:
    w = await _world(session)
    report = await shift.shift_report(session, now=NOW)
    text = shift_render.report_text(report, CTX, RU, limit=600)
    assert len(text) <= 600
    assert "…" in text and text.endswith("Полный отчёт — в файлах XLSX и PDF.")
    assert w.numbers["a"]


async def test_hand_over_stores_the_period_and_the_next_report_starts_there(session: AsyncSession) -> None:
    w = await _world(session)
    with pytest.raises(PermissionDenied):
        await shift.hand_over(session, w.worker, "", now=NOW)
    with pytest.raises(InvalidInput):
        await shift.hand_over(session, w.dispatcher, "x" * 5000, now=NOW)
    handover = await shift.hand_over(session, w.dispatcher, "Всё спокойно", now=NOW)
    assert (handover.period_start, handover.period_end, handover.note) == (SINCE, NOW, "Всё спокойно")
    later = NOW + timedelta(hours=1)
    report = await shift.shift_report(session, now=later)
    assert (report.since, report.until) == (NOW, later)
    assert report.logged == [] and report.closed == []
    assert len(report.open_incidents) == 2  # still open: the next shift sees them
    stored = await shift.handover_report(session, handover)
    assert _numbers(stored.closed) == [w.numbers["b"]]
