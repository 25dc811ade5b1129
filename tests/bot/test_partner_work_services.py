"""services.partners.work: what an organisation has open (untaken first), and only a report's
author adds its files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building
from models.enums import IncidentKind, InformantKind, Role
from services import staff
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.incidents import journal, updates
from services.partners import directory, work

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(48))


async def test_open_work_and_report_files(session: AsyncSession, tmp_path: Path) -> None:
    sys = Actor.system("t")
    admin = await staff.create_user(session, sys, full_name="Админ", roles=[Role.ADMIN])
    dispatcher = await staff.create_user(session, sys, full_name="Диспетчер", roles=[Role.DISPATCHER])
    org = await directory.create_organisation(
        session, Actor(user_id=admin.id), directory.OrganisationInput(name="УК «Уют»")
    )
    other = await directory.create_organisation(
        session, Actor(user_id=admin.id), directory.OrganisationInput(name="РСО «Водоканал»")
    )
    worker = await staff.create_user(
        session, sys, full_name="Мастер", roles=[Role.EXECUTOR], department_id=org.department_id
    )
    house = Building(street="ул. Ленина", street_key="ленина", house="1", house_key="1", house_number=1)
    session.add(house)
    await session.flush()

    async def log(minutes_ago: int, org_id: int) -> int:
        data = journal.NewIncident(
            kind=IncidentKind.FALLEN_TREE,
            received_at=NOW - timedelta(minutes=minutes_ago),
            informant_kind=InformantKind.RESIDENT,
            description="Дерево",
            building_id=house.id,
            responsible_organisation_id=org_id,
        )
        return (await journal.log_incident(session, dispatcher, data, tz=MSK, now=NOW)).id

    old, new, taken, closed = [await log(m, org.id) for m in (50, 10, 5, 1)]
    foreign = await log(3, other.id)
    await updates.acknowledge(session, worker, updates.Target("incident", taken), now=NOW)
    await journal.close_incident(session, dispatcher, closed, "Убрано", now=NOW)

    assert [(w.kind, w.row.id) for w in await work.open_work(session, org.id)] == [
        ("incident", new),
        ("incident", old),
        ("incident", taken),
    ]
    assert [w.row.id for w in await work.open_work(session, other.id)] == [foreign]
    assert (await work.acknowledged_by(session, "incident", taken)) == worker
    assert await work.acknowledged_by(session, "incident", new) is None

    update = await updates.post_report(
        session, worker, updates.Target("incident", new), updates.FieldReport("Распилено"), now=NOW
    )
    with pytest.raises(PermissionDenied):
        await work.attach_files(session, dispatcher, update.id, tmp_path, [work.ReportFile(PNG, "a.png")])
    with pytest.raises(InvalidInput):
        await work.attach_files(
            session,
            worker,
            update.id,
            tmp_path,
            [work.ReportFile(PNG, "a.png")] * (work.MAX_REPORT_FILES + 1),
        )
    stored = await work.attach_files(
        session, worker, update.id, tmp_path, [work.ReportFile(PNG, "a.png", "tg1")]
    )
    assert [(f.mime_type, f.telegram_file_id) for f in await work.files_of(session, update.id)] == [
        ("image/png", "tg1")
    ]
    assert stored[0].uploaded_by_user_id == worker.id
