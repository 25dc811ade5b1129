"""A department's clerk sees, counts, exports and opens only the appeals in their scope (the rule the
new-appeal alerts and reminders follow); an organisation-wide clerk and a manager see them all."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Correspondent, StoredFile, utcnow
from services import staff
from services.audit import Actor
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, login
from tests.web.outages_support import PASSWORD

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
SYS = Actor.system("test")


async def _world(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as s:
        roads = await staff.create_department(s, SYS, "Дорожный отдел")
        housing = await staff.create_department(s, SYS, "Отдел ЖКХ")
        for login_, dept, roles in (
            ("roads_clerk", roads.id, ["clerk"]),
            ("housing_clerk", housing.id, ["clerk"]),
            ("wide_clerk", None, ["clerk"]),
            ("boss", roads.id, ["manager"]),
        ):
            await staff.create_user(
                s, SYS, full_name=login_, roles=roles, department_id=dept, login=login_, password=PASSWORD
            )
        due = utcnow() + timedelta(days=10)
        road = Appeal(reg_year=2026, reg_seq=1, reg_number="2026-800001", channel="paper", text="Яма",
                      department_id=roads.id, due_at=due)  # fmt: skip
        flat = Appeal(reg_year=2026, reg_seq=2, reg_number="2026-800002", channel="paper", text="Течёт крыша",
                      department_id=housing.id, due_at=due)  # fmt: skip
        person = Correspondent(name="Пётр Жалобин", name_search="пётр жалобин", appeals_count=2)
        s.add(person)
        await s.flush()
        road.correspondent_id = flat.correspondent_id = person.id
        s.add_all([road, flat])
        await s.flush()
        scan = StoredFile(sha256="0" * 64, original_name="скан.pdf", mime_type="application/pdf", size=1,
                          storage_path="00/scan", appeal_id=flat.id)  # fmt: skip
        s.add(scan)
        await s.commit()
        return {"road": road.id, "flat": flat.id, "scan": scan.id, "person": person.id}


async def test_a_department_clerk_sees_only_their_scope(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    ids = await _world(session_factory)
    seen: dict[str, tuple[bool, bool]] = {}
    for who in ("roads_clerk", "housing_clerk", "wide_clerk", "boss"):
        async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as client:
            await login(client, who, PASSWORD)
            listing = await (await client.get("/appeals?status=")).text()
            export = (await (await client.get("/appeals/export.csv")).read()).decode("utf-8-sig")
            home = await (await client.get("/")).text()
            road_page = await client.get(f"/appeals/{ids['road']}")
            flat_page = await client.get(f"/appeals/{ids['flat']}")
            scan = await client.get(f"/appeals/files/{ids['scan']}")
            sees = ("2026-800001" in listing, "2026-800002" in listing)
            card = await (await client.get(f"/correspondents/{ids['person']}")).text()
            assert ("2026-800001" in card, "2026-800002" in card) == sees, who
            assert ('id="hidden-appeals"' in card) == (not all(sees)), who
            assert sees == (("2026-800001" in export), ("2026-800002" in export)), who
            assert (road_page.status == 200, flat_page.status == 200) == sees, who
            if not sees[1]:
                assert scan.status == 404, who  # the file of an appeal out of scope is not served
            if who.endswith("clerk"):
                new = home.split('id="appeals-new"', 1)[1]
                assert f">{sum(sees)}<" in new[:200], (who, new[:200])
            seen[who] = sees
    assert seen == {
        "roads_clerk": (True, False),
        "housing_clerk": (False, True),
        "wide_clerk": (True, True),
        "boss": (True, True),
    }
