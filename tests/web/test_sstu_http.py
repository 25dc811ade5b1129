"""The ССТУ.РФ report page over HTTP: the preview and its problems, the download refused while the
organisation's id or a classifier code is missing (the server re-validates), allowed once they are
fixed through Settings → Organisation, and audited."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AppealQuestion, AuditEvent, User
from porucheno.settings import Settings
from services import staff
from services.audit import Actor
from tests.services.sstu_scenario import ORG_GUID, ROAD_CODE, build_november
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(section|table|form)>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


async def test_download_is_refused_until_the_problems_are_fixed(
    client: TestClient, admin: User, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        month = await build_november(s, settings.files_dir, with_org_id=False)
        question = await s.scalar(select(AppealQuestion).where(AppealQuestion.appeal_id == month.in_work.id))
        assert question is not None
        question.classifier_code = None
        await s.commit()
    await login(client)

    page = await (await client.get("/sstu?month=2026-11")).text()
    problems = _text(page, "sstu-problems")
    assert "Не задан идентификатор организации в ССТУ.РФ." in problems
    assert "2026-000004 : Вопрос 1: нет кода классификатора." in problems
    assert 'href="/settings/organisation"' in page
    assert re.search(r'id="sstu-download"[^>]*disabled', page)
    preview = _text(page, "sstu-preview")
    assert (
        "2026-000001 0003.0009.0099.0659 поддержано (Supported) 03.11.2026 03.11.2026 20.11.2026 да"
        in preview
    )
    assert "2026-000005" not in preview  # the «сообщение»

    garbled = await client.post("/sstu/archive", data={"csrf_token": csrf_of(page), "month": "ноябрь"})
    assert garbled.status == 400
    refused = await client.post("/sstu/archive", data={"csrf_token": csrf_of(page), "month": "2026-11"})
    assert refused.status == 409
    assert refused.content_type == "text/html"
    assert "Не задан идентификатор организации в ССТУ.РФ." in await refused.text()

    # Fixed where the link points: the card takes only a GUID.
    card_page = await (await client.get("/settings/organisation")).text()
    fields = {
        "csrf_token": csrf_of(card_page),
        "name": "Администрация г. Энска",
        "head_position": "Глава города",
        "head_name": "П. П. Петров",
    }
    wrong = await client.post("/settings/organisation", data=fields | {"sstu_department_id": "12345"})
    assert "Идентификатор ССТУ.РФ — это GUID" in await wrong.text()
    saved = await client.post(
        "/settings/organisation",
        data=fields | {"sstu_department_id": ORG_GUID.upper()},
        allow_redirects=False,
    )
    assert saved.status == 303
    async with session_factory() as s:
        question = await s.scalar(select(AppealQuestion).where(AppealQuestion.appeal_id == month.in_work.id))
        assert question is not None
        question.classifier_code = ROAD_CODE
        await s.commit()

    page = await (await client.get("/sstu?month=2026-11")).text()
    assert 'id="sstu-problems"' not in page
    assert not re.search(r'id="sstu-download"[^>]*disabled', page)
    response = await client.post("/sstu/archive", data={"csrf_token": csrf_of(page), "month": "2026-11"})
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="sstu-2026-11.zip"'
    with zipfile.ZipFile(io.BytesIO(await response.read())) as zf:
        names = zf.namelist()
        first = json.loads(zf.read("2026-000001.json"))
    assert names == [
        "2026-000001.json",
        "2026-000002.json",
        "2026-000003.json",
        "2026-000004.json",
        "manifest.json",
    ]
    assert first["departmentId"] == ORG_GUID and [q["status"] for q in first["questions"]] == [
        "Supported",
        "Explained",
    ]
    async with session_factory() as s:
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "sstu_export"))
        assert event is not None and event.actor_user_id == admin.id
        assert event.data is not None and event.data["month"] == "2026-11" and event.data["appeals"] == 4


async def test_the_menu_offers_the_report_only_to_staff_who_may_build_it(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    wide = await make_user(session_factory, "clerk-all", "Верный-пароль-2026", ["clerk"])
    scoped = await make_user(session_factory, "clerk-roads", "Верный-пароль-2026", ["clerk"])
    async with session_factory() as s:
        department = await staff.create_department(s, Actor.system("test"), "Дорожный отдел")
        user = await s.get(User, scoped.id)
        assert user is not None
        user.department_id = department.id
        await s.commit()
    assert wide.id != scoped.id

    await login(client, "clerk-all", "Верный-пароль-2026")
    assert 'href="/sstu"' in await (await client.get("/appeals")).text()
    assert (await client.get("/sstu")).status == 200
    await client.post("/logout", data={"csrf_token": csrf_of(await (await client.get("/appeals")).text())})

    await login(client, "clerk-roads", "Верный-пароль-2026")
    assert 'href="/sstu"' not in await (await client.get("/appeals")).text()
    assert (await client.get("/sstu")).status == 403
