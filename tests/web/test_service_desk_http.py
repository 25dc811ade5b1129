"""The service desk in the panel over HTTP: who sees which requests, who may act, every action on
the card, and mistyped or hostile input coming back as a form error."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.i18n import LOCALE_COOKIE
from models import ServiceComment, ServiceRequest, ServiceTopic, SlaTarget, User, utcnow
from porucheno.settings import Settings
from services.files import FileOrigin, store_file
from services.notify import NoticeContext
from services.service_desk import requests as desk
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login
from tests.web.service_desk_support import PASSWORD, make_desk
from tests.web.test_assignments_http import tiny_png

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _as(client: TestClient, who: str) -> None:
    client.session.cookie_jar.clear()
    await login(client, who, PASSWORD)


async def _status(client: TestClient, path: str) -> int:
    response = await client.get(path, allow_redirects=False)
    await response.read()
    return response.status


async def _post(client: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    token = await csrf_token(client, "/service-desk")
    response = await client.post(path, data={**data, "csrf_token": token}, allow_redirects=False)
    return response.status, await response.text()


async def _request(session_factory: async_sessionmaker[AsyncSession], request_id: int) -> ServiceRequest:
    async with session_factory() as s:
        item = await s.get(ServiceRequest, request_id)
        assert item is not None
        return item


async def test_visibility(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    d = await make_desk(session_factory, settings)
    card = f"/service-desk/{d.request_id}"
    row = f'data-number="{d.number}"'
    await _as(client, "other")  # files requests only: not the queue, not another's request
    html = await (await client.get("/service-desk")).text()
    assert "Мои заявки" in html and row not in html
    assert await _status(client, card) == 404
    status, _ = await _post(client, card + "/reply", {"text": "Я тоже", "expected_status": "new"})
    assert status == 404
    await _as(client, "aho")  # an agent of another service
    assert row not in await (await client.get("/service-desk")).text()
    assert await _status(client, card) == 404
    status, _ = await _post(client, card + "/take", {"expected_status": "new"})
    assert status == 404
    await _as(client, "boss")  # a manager sees everything but works no service
    html = await (await client.get("/service-desk")).text()
    assert row in html and 'id="sla-compliance"' in html  # and reaches the SLA compliance report
    status, html = await _post(client, card + "/take", {"expected_status": "new"})
    assert status == 403 and "Это может сделать только служба, которая ведёт заявку." in html
    assert (await _request(session_factory, d.request_id)).status == "new"
    await _as(client, "staff")  # the requester sees their own, without the service's forms
    html = await (await client.get(card)).text()
    assert "Не печатает принтер" in html and "take-form" not in html and "note-form" not in html
    await _as(client, "it")
    html = await (await client.get("/service-desk")).text()
    assert row in html and 'data-clock="reaction"' in html and 'id="sla-compliance"' not in html
    for query, found in (
        ("q=принтер", True),
        (f"q={d.number}", True),
        ("q=сканер", False),
        ("status=new", True),
        ("status=closed", False),
        (f"topic={d.aho_topic}", False),
        ("urgency=critical", False),
        ("assignee=none", True),
        ("overdue=1", False),
        ("status=<script>&topic=abc&assignee=99999999999999999999&page=-1", True),
    ):
        assert (row in await (await client.get(f"/service-desk?{query}")).text()) is found, query


async def test_every_action(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    d = await make_desk(session_factory, settings)
    card = f"/service-desk/{d.request_id}"
    await _as(client, "it")
    status, html = await _post(client, card + "/take", {"expected_status": "in_work"})
    assert status == 200 and "Заявка уже изменилась" in html  # a stale page is refused
    status, _ = await _post(client, card + "/take", {"expected_status": "new"})
    assert status == 303
    item = await _request(session_factory, d.request_id)
    assert item.status == "in_work" and item.assignee_id == d.ids["it"] and item.first_response_at
    status, _ = await _post(client, card + "/assign", {"assignee_id": str(d.ids["itlead"])})
    assert status == 303 and (await _request(session_factory, d.request_id)).assignee_id == d.ids["itlead"]
    status, html = await _post(client, card + "/assign", {"assignee_id": str(d.ids["aho"])})
    assert status == 200 and "Выберите сотрудника службы" in html
    status, html = await _post(client, card + "/reply", {"text": "  "})
    assert status == 200 and "Обязательное поле." in html
    assert (await _post(client, card + "/reply", {"text": "Смотрим принтер"}))[0] == 303
    assert (await _post(client, card + "/note", {"text": "Картридж на складе"}))[0] == 303
    assert (await _post(client, card + "/urgency", {"urgency": "high"}))[0] == 303
    status, html = await _post(client, card + "/urgency", {"urgency": "'; DROP TABLE x"})
    assert status == 200 and "Выберите значение из списка." in html
    assert (await _post(client, card + "/wait", {"text": "Какая модель?", "expected_status": "in_work"}))[
        0
    ] == 303
    item = await _request(session_factory, d.request_id)
    assert item.status == "waiting" and item.paused_at is not None and item.urgency == "high"

    await _as(client, "staff")
    html = await (await client.get(card)).text()
    assert "Смотрим принтер" in html and "Картридж на складе" not in html  # the internal note is hidden
    assert (await _post(client, card + "/reply", {"text": "HP 1020"}))[0] == 303
    assert (await _request(session_factory, d.request_id)).status == "in_work"
    status, html = await _post(client, card + "/resolve", {"text": "Сам", "expected_status": "in_work"})
    assert status == 403

    await _as(client, "it")
    html = await (await client.get(card)).text()
    assert "Картридж на складе" in html and "HP 1020" in html
    assert (await _post(client, card + "/resolve", {"text": "Заменили ролик", "expected_status": "in_work"}))[
        0
    ] == 303
    await _as(client, "staff")
    assert (await _post(client, card + "/reopen", {"reason": "Снова мнёт"}))[0] == 303
    assert (await _request(session_factory, d.request_id)).status == "in_work"
    await _as(client, "itlead")
    assert (await _post(client, card + "/resolve", {"text": "Заменили узел", "expected_status": "in_work"}))[
        0
    ] == 303
    await _as(client, "staff")
    status, html = await _post(client, card + "/confirm", {"rating": "9"})
    assert status == 200 and "Выберите значение из списка." in html
    assert (await _post(client, card + "/confirm", {"rating": "5", "rating_comment": "Быстро"}))[0] == 303
    item = await _request(session_factory, d.request_id)
    assert item.status == "closed" and item.rating == 5
    html = await (await client.get(card)).text()
    assert "★★★★★" in html and "Быстро" in html
    async with session_factory() as s:
        internal = await s.scalar(select(ServiceComment).where(ServiceComment.internal))
        assert internal is not None and internal.text == "Картридж на складе"


async def test_new_request_and_cancel(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    d = await make_desk(session_factory, settings)
    await _as(client, "other")
    token = await csrf_token(client, "/service-desk/new")
    bad = {"topic_id": "999", "urgency": "<b>", "subject": "", "csrf_token": token}
    response = await client.post("/service-desk/new", data=bad, allow_redirects=False)
    html = await response.text()
    assert (
        response.status == 200
        and html.count("Выберите значение из списка.") == 2
        and "Обязательное поле." in html
    )
    good = {"topic_id": str(d.aho_topic), "urgency": "low", "subject": "Сломан стул", "csrf_token": token}
    response = await client.post("/service-desk/new", data=good, allow_redirects=False)
    assert response.status == 303
    async with session_factory() as s:
        item = await s.scalar(select(ServiceRequest).where(ServiceRequest.subject == "Сломан стул"))
        assert item is not None and item.channel == "panel" and item.requester_id == d.ids["other"]
    card = f"/service-desk/{item.id}"
    assert "Сломан стул" in await (await client.get("/service-desk?mine=1")).text()
    status, html = await _post(client, card + "/cancel", {"reason": ""})
    assert status == 200 and "Обязательное поле." in html
    assert (await _post(client, card + "/cancel", {"reason": "Починили сами"}))[0] == 303
    assert (await _request(session_factory, item.id)).status == "cancelled"


async def test_settings(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    d = await make_desk(session_factory, settings)
    await _as(client, "it")
    assert await _status(client, "/service-desk/settings") == 403
    await _as(client, "root")
    html = await (await client.get("/service-desk/settings")).text()
    assert "builtin-targets" in html and "4 ч 00 мин" in html  # sla.DEFAULT_TARGETS for «normal»
    token = await csrf_token(client, "/service-desk/settings")
    response = await client.post(
        "/service-desk/settings",
        data={"code": "workplace", "name_ru": "Дубль", "name_en": "Dup", "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 200 and "У другой темы уже есть такой код." in await response.text()
    response = await client.post(
        f"/service-desk/settings/topics/{d.it_topic}/targets",
        data={"high_reaction_h": "2", "high_reaction_m": "", "high_resolution_h": "1", "csrf_token": token},
        allow_redirects=False,
    )
    assert (
        response.status == 200
        and "Решение не может занимать меньше времени, чем реакция." in await response.text()
    )
    response = await client.post(
        f"/service-desk/settings/topics/{d.it_topic}/targets",
        data={"high_reaction_h": "0", "high_reaction_m": "30", "high_resolution_h": "6", "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 303
    async with session_factory() as s:
        row = await s.scalar(select(SlaTarget).where(SlaTarget.topic_id == d.it_topic))
        assert row is not None and (row.reaction_minutes, row.resolution_minutes) == (30, 360)
        topic = await s.get(ServiceTopic, d.it_topic)
        assert topic is not None and topic.code == "workplace"


async def test_files_of_a_request(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """A file filed with the request is on its card and downloads for those who see the request."""
    d = await make_desk(session_factory, settings)
    await _as(client, "staff")
    token = await csrf_token(client, "/service-desk/new")
    form = FormData(quote_fields=False)
    for name, value in {"topic_id": str(d.it_topic), "urgency": "high", "subject": "Монитор мигает"}.items():
        form.add_field(name, value)
    form.add_field("csrf_token", token)
    form.add_field("attachments", tiny_png(), filename="экран.png", content_type="image/png")
    response = await client.post("/service-desk/new", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    card = response.headers["Location"]
    html = await (await client.get(card)).text()
    match = re.search(r'href="(/service-desk/files/\d+)\?download=1"[^>]*>экран.png<', html)
    assert match, "no file link on the card"
    download = await client.get(match.group(1) + "?download=1")
    assert download.status == 200 and (await download.read()) == tiny_png()
    await _as(client, "it")
    assert await _status(client, match.group(1)) == 200
    await _as(client, "aho")
    assert await _status(client, match.group(1)) == 404
    assert await _status(client, card) == 404


async def test_reply_and_note_carry_files(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """The service replies with a screenshot and keeps a scan in an internal note: the requester
    gets the screenshot on the card, never the note's scan; a file alone is a message too."""
    d = await make_desk(session_factory, settings)
    card = f"/service-desk/{d.request_id}"
    await _as(client, "it")

    async def post(action: str, text: str, filename: str) -> None:
        form = FormData(quote_fields=False)
        form.add_field("csrf_token", await csrf_token(client, card))
        form.add_field("expected_status", (await _request(session_factory, d.request_id)).status)
        form.add_field("text", text)
        form.add_field("attachments", tiny_png(), filename=filename, content_type="image/png")
        response = await client.post(f"{card}/{action}", data=form, allow_redirects=False)
        assert response.status == 303, await response.text()

    await post("reply", "Вот как настроить печать", "инструкция.png")
    await post("note", "", "счёт.png")  # no words, only the scan
    html = await (await client.get(card)).text()
    assert "инструкция.png" in html and "счёт.png" in html
    await _as(client, "staff")
    html = await (await client.get(card)).text()
    assert "инструкция.png" in html and "Вот как настроить печать" in html and "счёт.png" not in html
    await _as(client, "it")
    form = FormData(quote_fields=False)
    form.add_field("csrf_token", await csrf_token(client, card))
    form.add_field("text", "")
    response = await client.post(f"{card}/reply", data=form, allow_redirects=False)
    assert response.status == 200 and "Обязательное поле" in await response.text()


async def test_breached_request_is_red_and_filtered(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    d = await make_desk(session_factory, settings)
    async with session_factory() as s:
        staff = await s.get(User, d.ids["staff"])
        old = await desk.file_request(
            s,
            staff,
            desk.NewRequest(topic_id=d.it_topic, subject="Давняя заявка", urgency="critical"),
            ctx=NoticeContext.from_settings(settings),
            now=utcnow() - timedelta(days=10),
        )
        await s.commit()
    await _as(client, "it")
    html = await (await client.get("/service-desk?overdue=1")).text()
    assert f'data-number="{old.number}"' in html and f'data-number="{d.number}"' not in html
    assert 'class="clock clock-breached" data-clock="reaction"' in html and "просрочено на" in html
    html = await (await client.get(f"/service-desk/{old.id}")).text()
    assert 'data-state="breached"' in html and "срок " in html


async def test_photos_from_the_bot_are_named_photo_n_never_by_their_id(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """A photo sent in a messenger has no file name: the card calls it «Фото 1» / «Photo 1»,
    numbered among the request's photos; a named document keeps its name."""
    d = await make_desk(session_factory, settings)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    async with session_factory() as s:
        origin = FileOrigin(service_request_id=d.request_id)
        await store_file(s, settings.files_dir, pdf, filename="Инструкция проектора.pdf", origin=origin)
        for _ in range(2):  # two photos, as Telegram sends them: no name
            await store_file(s, settings.files_dir, tiny_png(), filename=None, origin=origin)
        await s.commit()
    await _as(client, "it")
    html = await (await client.get(f"/service-desk/{d.request_id}")).text()
    files = html.split('id="request-files"')[1].split("</ul>")[0]
    names = re.findall(r'class="file-link">([^<]*)<', files)
    assert names == ["Инструкция проектора.pdf", "Фото 1", "Фото 2"]
    assert "№" not in files
    client.session.cookie_jar.update_cookies({LOCALE_COOKIE: "en"})
    html = await (await client.get(f"/service-desk/{d.request_id}")).text()
    files = html.split('id="request-files"')[1].split("</ul>")[0]
    assert re.findall(r'class="file-link">([^<]*)<', files) == [
        "Инструкция проектора.pdf",
        "Photo 1",
        "Photo 2",
    ]
