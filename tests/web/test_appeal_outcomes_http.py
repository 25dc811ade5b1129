"""The article 11 routes over plain HTTP: the panel's form is not trusted. A clerk of another
department gets 404 for an appeal outside their scope (as if it did not exist) and changes nothing;
a clerk posting the manager's decision to stop correspondence is refused by the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Correspondent, utcnow
from services import staff
from services.audit import Actor
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_of, login
from tests.web.outages_support import PASSWORD

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
SYS = Actor.system("test")
LETTER = {"abusive_title": "О недопустимости", "abusive_body": "Текст", "stop_title": "О прекращении",
          "stop_body": "Текст", "stop_reason": "Повтор"}  # fmt: skip


async def _flat_appeal(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as s:
        roads = await staff.create_department(s, SYS, "Дорожный отдел")
        housing = await staff.create_department(s, SYS, "Отдел ЖКХ")
        for login_, dept in (("roads_clerk", roads.id), ("housing_clerk", housing.id)):
            await staff.create_user(
                s, SYS, full_name=login_, roles=["clerk"], department_id=dept, login=login_, password=PASSWORD
            )
        person = Correspondent(name="Пётр Жалобин", name_search="пётр жалобин", appeals_count=1)
        s.add(person)
        await s.flush()
        flat = Appeal(reg_year=2026, reg_seq=2, reg_number="2026-800002", channel="paper", text="Течёт крыша",
                      department_id=housing.id, due_at=utcnow() + timedelta(days=10),
                      correspondent_id=person.id)  # fmt: skip
        s.add(flat)
        await s.commit()
        return flat.id


async def _state(session_factory: async_sessionmaker[AsyncSession], appeal_id: int) -> tuple[object, ...]:
    async with session_factory() as s:
        a = await s.get(Appeal, appeal_id)
        assert a is not None
        return (a.status, a.outcome, a.repeat_of_id, a.is_collective)


async def test_out_of_scope_and_unauthorised_outcomes_change_nothing(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    flat = await _flat_appeal(session_factory)
    before = await _state(session_factory, flat)
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as client:
        await login(client, "roads_clerk", PASSWORD)
        token = csrf_of(await (await client.get("/appeals")).text())
        for path, data in (
            ("outcome/abusive", LETTER),
            ("outcome/anonymous", {}),
            ("outcome/unreadable", {}),
            ("outcome/stop", LETTER),
            ("collective", {"collective": "1", "signatories": "5"}),
            ("repeat", {"repeat_number": "2026-800002"}),
        ):
            response = await client.post(f"/appeals/{flat}/{path}", data=data | {"csrf_token": token})
            assert response.status == 404, path
    assert await _state(session_factory, flat) == before

    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as client:
        await login(client, "housing_clerk", PASSWORD)
        page = await (await client.get(f"/appeals/{flat}")).text()
        assert 'id="outcome-abusive"' in page and 'id="outcome-stop"' not in page
        response = await client.post(
            f"/appeals/{flat}/outcome/stop", data=LETTER | {"stop_earlier": "1", "csrf_token": csrf_of(page)}
        )
        assert response.status == 400
        assert "Вы не можете принимать решение о завершении рассмотрения" in await response.text()
    assert await _state(session_factory, flat) == before
