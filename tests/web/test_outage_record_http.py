"""An outage's record in the panel: the dispatcher sets the cause, the informant and the responsible
organisation (its people get the card) and posts news for the residents; a clerk only reads; bad
input is refused on the page. The social-alert list in the settings is the administrators'."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Department, DispatchUpdate, Organisation, Outage, OutboxMessage, SocialAlertRecipient, User
from models.enums import Role, UpdateKind, UpdatePublish
from services import staff
from services.audit import Actor
from services.telegram_accounts import TelegramProfile, touch_account
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login
from tests.web.outages_support import PASSWORD, make_staff, make_town

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
MEMBER_TG = 9301


async def _organisation(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        dept = Department(name="МУП «Водоканал»")
        session.add(dept)
        await session.flush()
        org = Organisation(name="МУП «Водоканал»", short_name="Водоканал", department_id=dept.id)
        session.add(org)
        member = await staff.create_user(
            session,
            Actor.system(),
            full_name="Сидоров Олег Иванович",
            roles=(Role.EXECUTOR,),
            department_id=dept.id,
            telegram_id=MEMBER_TG,
        )
        account = await touch_account(
            session, TelegramProfile(id=MEMBER_TG, chat_id=MEMBER_TG, first_name="Олег")
        )
        account.user_id = member.id
        await session.commit()
        return org.id


async def _post(client: TestClient, path: str, page: str, data: dict[str, str]) -> tuple[int, str]:
    response = await client.post(
        path, data={"csrf_token": await csrf_token(client, page), **data}, allow_redirects=False
    )
    return response.status, await response.text()


async def test_record_and_news_on_the_outage_page(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await make_town(session_factory)
    org_id = await _organisation(session_factory)
    a = town.active_id
    page_url = f"/outages/{a}"

    # A clerk reads the page but gets no forms, and a forged post is refused by the service.
    await login(client, "clerk", PASSWORD)
    page = await (await client.get(page_url)).text()
    assert 'id="record"' in page and 'id="record-form"' not in page and 'id="news-form"' not in page
    status, html = await _post(client, f"/outages/{a}/record", page_url, {"cause": "Взлом"})
    assert status == 400 and "может только диспетчер" in html

    client.session.cookie_jar.clear()
    await login(client, "dispatch", PASSWORD)
    page = await (await client.get(page_url)).text()
    assert 'id="record-form"' in page and 'id="news-form"' in page and "Водоканал" in page

    # Bad input stays on the page with its message.
    status, html = await _post(
        client,
        f"/outages/{a}/record",
        page_url,
        {"cause": "x", "informant_kind": "", "informant_text": "Иванов"},
    )
    assert status == 400 and "Укажите, кто сообщил об отключении." in html
    status, html = await _post(
        client, f"/outages/{a}/record", page_url, {"organisation_id": "999999", "informant_kind": "service"}
    )
    assert status == 400 and "Выберите значение из списка." in html

    status, _ = await _post(
        client,
        f"/outages/{a}/record",
        page_url,
        {
            "cause": "Порыв магистрали Ø400",
            "informant_kind": "service",
            "informant_text": "112, оператор Петрова",
            "organisation_id": str(org_id),
        },
    )
    assert status == 303
    page = await (await client.get(page_url)).text()
    assert '<dd id="cause">Порыв магистрали Ø400</dd>' in page
    assert "Служба (112, полиция, пожарные…) — 112, оператор Петрова" in page
    assert "Водоканал" in page and "ещё не принято в работу" in page
    async with session_factory() as session:
        outage = await session.get(Outage, a)
        assert outage is not None and outage.responsible_organisation_id == org_id
        card = (await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == MEMBER_TG))).all()
        assert len(card) == 1 and "горячая вода" in card[0].payload["text"]

    # News: an empty text is refused; then the residents get it and the page lists it.
    status, html = await _post(client, f"/outages/{a}/news", page_url, {"text": " ", "for_residents": "1"})
    assert status == 400 and "Обязательное поле" in html
    status, _ = await _post(
        client,
        f"/outages/{a}/news",
        page_url,
        {"text": "Бригада Водоканала на месте", "expected_end_at": "", "for_residents": "1"},
    )
    assert status == 303
    status, _ = await _post(client, f"/outages/{a}/news", page_url, {"text": "Запросили экскаватор"})
    assert status == 303
    page = await (await client.get(page_url)).text()
    assert "Бригада Водоканала на месте" in page and "опубликовано для жителей" in page
    assert "Запросили экскаватор" in page and "служебная запись" in page
    assert "<strong>Новость для жителей</strong>" in page  # its broadcast among the notices
    async with session_factory() as session:
        updates = (await session.scalars(select(DispatchUpdate).order_by(DispatchUpdate.id))).all()
        # The hand-over to the organisation is a journal entry of its own (internal), then the news.
        assert [(u.kind, u.publish) for u in updates] == [
            (UpdateKind.ASSIGNED, UpdatePublish.INTERNAL),
            (UpdateKind.PROGRESS, UpdatePublish.PUBLISHED),
            (UpdateKind.PROGRESS, UpdatePublish.INTERNAL),
        ]
        news = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.batch == f"outage:{a}:update-{updates[1].id}")
            )
        ).all()
        assert sorted(m.chat_id for m in news) == sorted(town.chats)
        assert all("Бригада Водоканала на месте" in m.payload["text"] for m in news)

    # A resolved outage keeps its record but takes no news.
    page = await (await client.get(f"/outages/{town.past_id}")).text()
    assert 'id="record-form"' in page and 'id="news-form"' not in page


async def test_social_alert_list_is_for_administrators(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], admin: User
) -> None:
    async with session_factory() as session:
        deputy = await make_staff(session, "deputy", "controller", "Кузнецов Павел Андреевич")
        await make_staff(session, "head", "manager", "Смирнова Ольга Викторовна")
        await make_staff(session, "dispatch", "dispatcher", "Дина Диспетчерова")
        await session.commit()
        deputy_id = deputy.id

    await login(client, "dispatch", PASSWORD)
    assert (await client.get("/settings/social-alerts", allow_redirects=False)).status == 403
    client.session.cookie_jar.clear()
    await login(client, "head", PASSWORD)
    assert (await client.get("/settings/social-alerts", allow_redirects=False)).status == 403
    forged = await client.post(
        "/settings/social-alerts",
        data={"csrf_token": await csrf_token(client, "/"), "action": "add", "user_id": str(deputy_id)},
        allow_redirects=False,
    )
    assert forged.status == 403

    client.session.cookie_jar.clear()
    await login(client)
    page = await (await client.get("/settings/social-alerts")).text()
    assert "Смирнова Ольга Викторовна" in page and "Всегда оповещаются: руководители" in page
    status, _ = await _post(
        client,
        "/settings/social-alerts",
        "/settings/social-alerts",
        {"action": "add", "user_id": str(deputy_id)},
    )
    assert status == 303
    page = await (await client.get("/settings/social-alerts")).text()
    assert f'id="listed-{deputy_id}"' in page and "не подключён к Telegram" in page
    status, _ = await _post(
        client, "/settings/social-alerts", "/settings/social-alerts", {"action": "add", "user_id": "999999"}
    )
    assert status == 400
    async with session_factory() as session:
        assert [r.user_id for r in (await session.scalars(select(SocialAlertRecipient))).all()] == [deputy_id]
    status, _ = await _post(
        client,
        "/settings/social-alerts",
        "/settings/social-alerts",
        {"action": "remove", "user_id": str(deputy_id)},
    )
    assert status == 303
    async with session_factory() as session:
        assert (await session.scalars(select(SocialAlertRecipient))).all() == []
