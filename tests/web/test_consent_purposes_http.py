"""The consent texts per purpose on the web (152-FZ art. 9): a museum's form /f/<slug> links to the
events / forms consent (no 59-FZ, the museum as the operator, the web form as the channel) and logs
it; the administrator edits one purpose's text and only that purpose gets a new version."""

from __future__ import annotations

import html as html_lib

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, ConsentRecord, ConsentText, User
from services.audit import Actor
from services.config import org_card
from tests.services.forms_support import make_form
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
MUSEUM = "МБУК «Краеведческий музей»"


async def _seed(factory: async_sessionmaker[AsyncSession], admin: User) -> None:
    async with factory() as session:
        await make_form(session)
        await org_card.save_card(
            session, Actor(user_id=admin.id), org_card.Letterhead(name=MUSEUM, short_name="Музей")
        )
        await session.commit()


async def _text(client: TestClient, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, path
    return html_lib.unescape(await response.text())


async def _document(client: TestClient, path: str) -> str:
    """The consent text itself (the page around it is the public site's frame)."""
    page = await _text(client, path)
    return page.split('id="consent-text">', 1)[1].split("</article>", 1)[0]


async def test_museum_form_links_and_logs_the_events_consent(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], admin: User
) -> None:
    await _seed(session_factory, admin)
    page = await client.get("/f/kids")
    form_html = await page.text()
    assert 'href="/consent/activities?via=web"' in form_html
    assert 'name="consent_version" value="1"' in form_html
    shown = await _document(client, "/consent/activities?via=web")
    assert "59-ФЗ" not in shown and "обращени" not in shown.lower()
    assert f"Оператор персональных данных: {MUSEUM}." in shown and "администрации" not in shown
    assert "форма на сайте оператора" in shown and "IP-адреса" in shown
    assert "Telegram" not in shown and "MAX" not in shown
    # The appeals text is apart, at its old address.
    appeals = await _document(client, "/consent")
    assert "59-ФЗ" in appeals and f"Оператор персональных данных: {MUSEUM}." in appeals
    assert (await client.get("/consent/nothing")).status == 404

    key = form_html.split('name="form_key" value="')[1][:32]
    sent = await client.post(
        "/f/kids",
        data={
            "csrf_token": csrf_of(form_html),
            "form_key": key,
            "f_name": "Маша Иванова",
            "f_course": "art",
            "f_agree": "1",
            "pd_consent": "1",
            "consent_version": "1",
        },
        allow_redirects=False,
    )
    assert sent.status == 303
    async with session_factory() as s:
        [row] = (await s.scalars(select(ConsentRecord))).all()
    assert (row.purpose, row.consent_version, row.channel, row.decision) == ("activities", 1, "web", "given")


async def test_editing_one_purpose_makes_a_new_version_of_that_purpose_only(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], admin: User
) -> None:
    await _seed(session_factory, admin)
    await login(client)
    overview = await _text(client, "/privacy/consent")
    assert 'id="purpose-appeals"' in overview and 'id="purpose-activities"' in overview
    assert "Обращения (59-ФЗ)" in overview and "Мероприятия, формы и заявки" in overview
    editor = await _text(client, "/privacy/consent?purpose=activities")
    assert 'name="purpose" value="activities"' in editor and "запись на мероприятия" in editor
    assert (await client.get("/privacy/consent?purpose=bogus")).status == 404

    published = await client.post(
        "/privacy/consent",
        data={
            "csrf_token": csrf_of(editor),
            "purpose": "activities",
            "text_ru": "Согласие на запись, редакция 2. Оператор: {operator}. Канал: {channel}.",
            "text_en": "",
        },
    )
    assert "Опубликована версия 2" in await published.text()
    async with session_factory() as s:
        texts = (
            await s.scalars(select(ConsentText).order_by(ConsentText.purpose, ConsentText.version))
        ).all()
        audit = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "consent_published"))).all()
    assert [(t.purpose, t.version, t.is_current) for t in texts] == [
        ("activities", 1, False),
        ("activities", 2, True),
        ("appeals", 1, True),
    ]
    assert [(a.new_state, (a.data or {}).get("purpose")) for a in audit] == [("2", "activities")]

    new = await _document(client, "/consent/activities?via=web")
    assert f"на запись, редакция 2. Оператор: {MUSEUM}. Канал: форма на сайте оператора." in new
    assert "запись на мероприятия оператора и в лист ожидания" in await _document(
        client, "/consent/activities/1"
    )
    assert "59-ФЗ" in await _document(client, "/consent")  # the appeals text did not move
    assert 'name="consent_version" value="2"' in await (await client.get("/f/kids")).text()
    assert 'name="consent_version" value="1"' in await (await client.get("/form")).text()
    assert "редакция 2" in await _text(client, "/privacy/consent/activities/2")
    assert "59-ФЗ" in await _text(client, "/privacy/consent/1")  # the old address: the appeals text
