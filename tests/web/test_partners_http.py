"""Organisations over HTTP: who may look and who may change, forged ids, hostile input."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OrganisationArea, OrganisationInvite, User, utcnow
from models.enums import IncidentKind, InformantKind, Role
from services import staff
from services.audit import Actor
from services.incidents import journal, updates
from services.partners import directory
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "correct-horse-battery"


async def _setup(session_factory: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    admin = await make_user(session_factory, "admin", PASSWORD, ["admin"])
    await make_user(session_factory, "dispatch", PASSWORD, ["dispatcher"])
    await make_user(session_factory, "worker", PASSWORD, ["executor"])
    async with session_factory() as session:
        uk = await directory.create_organisation(
            session, Actor(user_id=admin.id), directory.OrganisationInput(name="УК «Уют»")
        )
        other = await directory.create_organisation(
            session, Actor(user_id=admin.id), directory.OrganisationInput(name="Водоканал")
        )
        await session.commit()
        return uk.id, other.id


async def _status(client: TestClient, method: str, path: str, data: dict[str, str] | None = None) -> int:
    response = await client.request(method, path, data=data, allow_redirects=False)
    await response.read()
    return response.status


async def test_viewers_look_only_admins_change(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    uk, _other = await _setup(session_factory)
    await login(client, "worker", PASSWORD)
    for path in ("/organisations", f"/organisations/{uk}", "/organisations/kpi"):
        assert await _status(client, "GET", path) == 403

    client.session.cookie_jar.clear()
    await login(client, "dispatch", PASSWORD)
    card = await (await client.get(f"/organisations/{uk}")).text()
    assert "УК «Уют»" in card and "Создать ссылку-приглашение" not in card
    assert "Организации" in await (await client.get("/")).text()
    token = csrf_of(card)
    posts = [
        (f"/organisations/{uk}/areas", {"level": "district", "district": "Центральный"}),
        (f"/organisations/{uk}/invites", {}),
        (f"/organisations/{uk}/active", {"active": "0"}),
        (f"/organisations/{uk}/edit", {"name": "Захват"}),
        ("/organisations/new", {"name": "Новая"}),
    ]
    for path, data in posts:
        assert await _status(client, "POST", path, {**data, "csrf_token": token}) == 403, path
    assert await _status(client, "GET", "/organisations/new") == 403
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(OrganisationArea)) == 0
        assert await session.scalar(select(func.count()).select_from(OrganisationInvite)) == 0


async def test_forged_ids_and_hostile_input(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    uk, other = await _setup(session_factory)
    await login(client, "admin", PASSWORD)
    assert await _status(client, "GET", "/organisations/999999") == 404
    assert await _status(client, "GET", "/organisations/99999999999999999999") == 404
    card = await (await client.get(f"/organisations/{uk}?q=%3Cscript%3E&from=junk&to=2026-13-45")).text()
    assert "<script>" not in card and "&lt;script&gt;" in card
    token = csrf_of(card)

    # An area of another organisation cannot be removed through this one.
    response = await client.post(
        f"/organisations/{other}/areas",
        data={"level": "street", "street": "ул. Мира", "csrf_token": token},
    )
    assert response.status == 200
    async with session_factory() as session:
        area_id = await session.scalar(select(OrganisationArea.id))
    response = await client.post(f"/organisations/{uk}/areas/{area_id}/remove", data={"csrf_token": token})
    assert "Зона ответственности не найдена." in await response.text()
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(OrganisationArea)) == 1

    # Nonsense in every field: clear messages, nothing saved, no traceback.
    page = await (
        await client.post(
            f"/organisations/{uk}/areas",
            data={"level": "street", "street": "<b>" * 400, "resource": "plutonium", "csrf_token": token},
        )
    ).text()
    assert "Неизвестный ресурс." in page or "Слишком длинный текст" in page
    assert (
        await _status(client, "POST", f"/organisations/{uk}/areas", {"level": "moon", "csrf_token": token})
        == 400
    )
    page = await (
        await client.post(f"/organisations/{uk}/invites", data={"ttl_days": "500", "csrf_token": token})
    ).text()
    assert "Срок действия ссылки — от одного часа до 90 дн." in page
    page = await (
        await client.post(
            "/organisations/new",
            data={
                "name": "Водоканал",
                "kind": "martian",
                "inn": "12345",
                "email": "not-an-email",
                "resources": "plutonium",
                "publish_mode": "shout",
                "csrf_token": token,
            },
        )
    ).text()
    assert page.count('class="error"') >= 4
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(OrganisationInvite)) == 0
        assert (
            await session.scalar(select(func.count()).select_from(User).where(User.full_name == "Захват"))
            == 0
        )


async def test_kpi_page_compares_organisations(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    uk, _other = await _setup(session_factory)
    now = utcnow()
    async with session_factory() as session:
        dispatcher = await session.scalar(select(User).where(User.login == "dispatch"))
        org = await directory.get_organisation(session, uk)
        worker = await staff.create_user(
            session,
            Actor.system(),
            full_name="Мастер",
            roles=[Role.EXECUTOR],
            department_id=org.department_id,
        )
        assert dispatcher is not None
        incident = await journal.log_incident(
            session,
            dispatcher,
            journal.NewIncident(
                kind=IncidentKind.FALLEN_TREE,
                received_at=now - timedelta(minutes=30),
                informant_kind=InformantKind.RESIDENT,
                description="Дерево упало",
                address_text="ул. Ленина, 5",
                responsible_organisation_id=uk,
            ),
            tz=ZoneInfo("Europe/Moscow"),
            now=now - timedelta(minutes=30),
        )
        await updates.acknowledge(session, worker, updates.Target("incident", incident.id), now=now)
        await session.commit()
    await login(client, "dispatch", PASSWORD)
    html = await (await client.get("/organisations/kpi")).text()
    row = html[html.index(f'<tr data-id="{uk}">') :]
    row = row[: row.index("</tr>")]
    cells = [c.split("</td>")[0].strip() for c in row.split("<td>")[1:]]
    assert "УК «Уют»" in cells[0] and cells[1:6] == ["1", "0", "1", "30,0", "0"]
    card = await (await client.get(f"/organisations/{uk}")).text()
    assert "30,0" in card and "Мастер" in card
