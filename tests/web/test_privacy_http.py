"""Personal data in the panel over HTTP: opening a card and exporting are logged and the log page
shows it; a person's export and erasure round trip from the card; the consent text's versions; the
public form logs the consent with the version shown."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, AuditEvent, ConsentRecord, Correspondent, PdAccessLog, User
from porucheno.settings import Settings
from services import correspondents, staff
from services.appeals.intake import ContactInput
from services.audit import Actor
from services.privacy import consent
from tests.services.appeals_helpers import register
from tests.web.conftest import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    IGNORE_SESSION_KEY_WARNING,
    csrf_of,
    csrf_token,
    login,
    make_user,
)
from tests.web.test_public_form_http import appeal_form, make_topics

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "clerk-password-123"


async def person(session_factory: async_sessionmaker[AsyncSession], files_dir: Path) -> Appeal:
    async with session_factory() as s:
        result = await register(
            s,
            files_dir,
            text="Не убирают снег во дворе.",
            contact=ContactInput(name="Орлова Нина", phone="+7 916 555-66-77", email="nina@example.ru"),
            contact_phone="+7 916 555-66-77",
        )
        return result.appeal


async def test_card_export_erase_and_the_access_log(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], admin: User, settings: Settings
) -> None:
    appeal = await person(session_factory, settings.files_dir)
    clerk = await make_user(session_factory, "clerk1", PASSWORD, ["clerk"], full_name="Секретарь Ольга")
    await login(client, "clerk1", PASSWORD)
    card = f"/correspondents/{appeal.correspondent_id}"
    html = await (await client.get(card)).text()
    assert "Орлова Нина" in html and 'id="pd-export"' in html and 'id="pd-erase"' in html

    response = await client.get(f"{card}/personal-data.zip")
    assert response.status == 200 and response.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(await response.read())) as z:
        data = json.loads(z.read("data.json"))
    assert data["profile"]["name"] == "Орлова Нина"
    assert [a["reg_number"] for a in data["appeals"]] == [appeal.reg_number]
    assert (await client.get("/correspondents/export.csv")).status == 200

    page = await client.get(f"{card}/erase")
    token = csrf_of(await page.text())
    refused = await client.post(f"{card}/erase", data={"csrf_token": token, "reason": "Запрос № 7"})
    assert refused.status == 400 and "Отметьте галочку" in await refused.text()
    done = await client.post(
        f"{card}/erase",
        data={"csrf_token": token, "reason": "Запрос № 7", "confirm": "1"},
        allow_redirects=False,
    )
    assert done.status == 303
    html = await (await client.get(card)).text()
    assert "Удалено по запросу" in html and "Орлова" not in html and 'id="pd-erased"' in html
    response = await client.get(f"{card}/personal-data.zip")
    with zipfile.ZipFile(io.BytesIO(await response.read())) as z:
        data = json.loads(z.read("data.json"))
    assert data["profile"]["name"] == "Удалено по запросу" and data["profile"]["phone"] is None
    assert "Орлова" not in await (await client.get("/correspondents?q=916+555")).text()

    async with session_factory() as s:
        assert await correspondents.search(s, "916 555") == []
        actions = [
            (r.user_id, r.action, r.correspondent_id)
            for r in (await s.scalars(select(PdAccessLog).order_by(PdAccessLog.id))).all()
        ]
        audit = await s.scalar(select(AuditEvent).where(AuditEvent.action == "pd_erased"))
        assert audit is not None and audit.actor_user_id == clerk.id and audit.reason == "Запрос № 7"
    cid = appeal.correspondent_id
    assert actions == [
        (clerk.id, "view_card", cid),
        (clerk.id, "export", cid),
        (clerk.id, "list_export", None),
        (clerk.id, "erase", cid),
        (clerk.id, "view_card", cid),
        (clerk.id, "export", cid),
    ]
    # The log is for administrators only.
    assert (await client.get("/privacy/access-log")).status == 403

    await client.post("/logout", data={"csrf_token": csrf_of(await (await client.get("/")).text())})
    await login(client, ADMIN_LOGIN, ADMIN_PASSWORD)
    html = await (await client.get(f"/privacy/access-log?user={clerk.id}&action=export")).text()
    assert html.count("выгружены данные") >= 2 and "Секретарь Ольга" in html
    assert "открыта карточка</td>" not in html
    html = await (await client.get("/privacy/access-log?since=2000-01-01&until=2000-01-02")).text()
    assert 'id="log-empty"' in html


async def test_a_department_clerk_sees_no_export_or_erase(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    appeal = await person(session_factory, settings.files_dir)
    async with session_factory() as s:
        dept = await staff.create_department(s, Actor.system("test"), "Отдел ЖКХ")
        await staff.create_user(
            s,
            Actor.system("test"),
            full_name="Отдел",
            roles=["clerk"],
            department_id=dept.id,
            login="dept",
            password=PASSWORD,
        )
        await s.commit()
    await login(client, "dept", PASSWORD)
    card = f"/correspondents/{appeal.correspondent_id}"
    html = await (await client.get(card)).text()
    assert 'id="pd-export"' not in html and 'id="pd-erase"' not in html
    assert (await client.get(f"{card}/personal-data.zip")).status == 403
    token = csrf_of(await (await client.get(card)).text())
    forged = await client.post(f"{card}/erase", data={"csrf_token": token, "reason": "x", "confirm": "1"})
    assert forged.status == 403


async def test_administrator_publishes_a_version_and_the_form_logs_the_shown_one(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], admin: User
) -> None:
    topics = await make_topics(session_factory)
    html = await (await client.get("/form")).text()
    assert 'name="consent_version" value="1"' in html and 'href="/consent?via=web"' in html
    public = await (await client.get("/consent")).text()
    assert "Версия 1" in public and "59-ФЗ" in public

    await login(client)
    page = await client.get("/privacy/consent")
    token = csrf_of(await page.text())
    published = await client.post(
        "/privacy/consent", data={"csrf_token": token, "text_ru": "Согласие, редакция 2.", "text_en": ""}
    )
    assert "Опубликована версия 2" in await published.text()
    assert "редакция 2" in await (await client.get("/consent")).text()
    assert "59-ФЗ" in await (await client.get("/consent/1")).text()  # the old one stays readable

    # The form was opened before version 2: it says version 1, and version 1 is logged.
    form_token = await csrf_token(client, "/form")
    sent = await client.post(
        "/form", data=appeal_form(form_token, topics.roads, consent_version="1"), allow_redirects=False
    )
    assert sent.status == 303
    forged = await client.post("/form", data=appeal_form(form_token, topics.roads, consent_version="99"))
    assert "Текст согласия не найден" in await forged.text()
    async with session_factory() as s:
        [record] = (await s.scalars(select(ConsentRecord))).all()
        appeal = await s.scalar(select(Appeal))
        assert appeal is not None and (await s.scalars(select(Appeal))).all() == [appeal]
        person_ = await s.get(Correspondent, appeal.correspondent_id)
        assert person_ is not None
        assert (record.channel, record.consent_version, record.decision) == ("web", 1, "given")
        assert record.appeal_id == appeal.id and record.correspondent_id == person_.id and record.ip
        assert (await consent.current(s)).version == 2
