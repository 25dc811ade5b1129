"""The classifier in the panel over HTTP: an administrator loads a file (a bad one is refused with
its lines and nothing loaded) and browses it; other staff may not open the page; the code picker's
JSON; question forms refused to staff outside appeals; the appeals export lists the codes."""

from __future__ import annotations

import csv
import io
import re

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AppealQuestion, Category, ClassifierEntry, User
from porucheno.demo_seed import DEMO_CLASSIFIER
from porucheno.settings import Settings
from services.appeals import classifier, questions
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_of, csrf_token, login
from tests.web.test_appeals_http import make_office
from tests.web.test_assignments_http import PASSWORD, client_for

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _upload(client: TestClient, data: bytes, name: str) -> tuple[int, str]:
    form = FormData()
    form.add_field("csrf_token", await csrf_token(client, "/settings/classifier"))
    form.add_field("file", data, filename=name, content_type="text/csv")
    response = await client.post("/settings/classifier", data=form)
    return response.status, await response.text()


async def _count(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as s:
        return await s.scalar(select(func.count()).select_from(ClassifierEntry)) or 0


async def test_admin_loads_and_browses_the_classifier(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    html = await (await client.get("/settings/classifier")).text()
    assert "Классификатор ещё не загружен." in html and 'id="tab-classifier"' in html

    bad = DEMO_CLASSIFIER.read_bytes() + "0005.0005.0059.1;Плохой код\n".encode()
    status, html = await _upload(client, bad, "ktk.csv")
    assert status == 400
    assert 'data-line="49"' in html and "Строка 49: «0005.0005.0059.1» — не код классификатора" in html
    assert await _count(session_factory) == 0

    status, html = await _upload(client, DEMO_CLASSIFIER.read_bytes(), "ktk.csv")
    assert status == 200 and "Классификатор загружен: новых 47" in html
    assert "Записей: 47, действующих: 47" in html
    sections = re.findall(r'<tr data-code="([\d.]+)"', html)
    assert sections == ["0001", "0002", "0003", "0005"]
    html = await (await client.get("/settings/classifier?under=0005.0005.0056")).text()
    assert "Отопление: температура в квартирах, сроки подачи" in html and "Коммунальное хозяйство" in html
    html = await (await client.get("/settings/classifier?q=ОТХОД")).text()
    assert re.findall(r'<tr data-code="([\d.]+)"', html) == ["0005.0005.0057", "0005.0005.0057.1141"]
    found = await (await client.get("/classifier/search?q=воды")).json()
    assert [i["code"] for i in found["items"]] == ["0005.0005.0056.1121"]


async def test_only_admins_load_and_outsiders_cannot_touch_questions(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir, staff_logins=True)
    clerk = await client_for(app_factory, "clerk")
    try:
        response = await clerk.get("/settings/classifier", allow_redirects=False)
        assert response.status in (302, 303, 403)
        assert (await clerk.get("/classifier/search?q=01")).status == 200
    finally:
        await clerk.close()
    # An executor (no appeal role) may neither search nor add a question.
    ivan = await client_for(app_factory, "ivan")
    try:
        assert (await ivan.get("/classifier/search?q=01", allow_redirects=False)).status in (302, 303, 403)
        page = await (await ivan.get("/")).text()
        response = await ivan.post(
            f"/appeals/{office.appeal_id}/questions",
            data={"csrf_token": csrf_of(page), "text": "Чужой вопрос"},
            allow_redirects=False,
        )
        assert response.status in (302, 303, 403)
    finally:
        await ivan.close()
    async with session_factory() as s:
        texts = (await s.scalars(select(AppealQuestion.text))).all()
    assert texts == ["Глубокая яма на дороге у дома 5"]


async def test_appeals_export_lists_the_questions_codes(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        await classifier.load_trusted(
            s, DEMO_CLASSIFIER.read_bytes(), filename="demo.csv", actor=Actor.system("t")
        )
        clerk = await s.get(User, office.clerk_id)
        assert clerk is not None
        [first] = await questions.of_appeal(s, office.appeal_id)
        await questions.change_question(
            s, first.id, questions.QuestionInput(first.text, "0003.0009.0096.0511"), actor=clerk
        )
        await questions.add_question(
            s, office.appeal_id, questions.QuestionInput("Фонарь", "0003.0011.0120.0604"), actor=clerk
        )
        await s.commit()
    await login(client, "clerk", PASSWORD)
    body = await (await client.get("/appeals/export.csv")).read()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Коды классификатора"
    assert rows[1][-1] == "0003.0009.0096.0511; 0003.0011.0120.0604"


async def test_a_topic_takes_a_default_code_the_next_appeal_starts_with(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        await classifier.load_trusted(
            s, DEMO_CLASSIFIER.read_bytes(), filename="demo.csv", actor=Actor.system("t")
        )
        await s.commit()
    await login(client)
    path = f"/settings/categories/{office.category_id}"
    html = await (await client.get(path)).text()
    assert 'list="classifier-codes"' in html and '<option value="0003.0009.0096.0511">' in html

    def fields(code: str) -> dict[str, str]:
        return {
            "csrf_token": csrf_of(html),
            "code": "roads",
            "name_ru": "Дороги и тротуары",
            "name_en": "Roads",
            "answer_days": "30",
            "audience": "both",
            "classifier_code": code,
        }

    response = await client.post(path, data=fields("0003.0009"), allow_redirects=False)
    assert response.status == 200 and "Выберите вопрос классификатора" in await response.text()
    response = await client.post(path, data=fields("0003.0009.0096.0511"), allow_redirects=False)
    assert response.status == 303
    async with session_factory() as s:
        category = await s.get(Category, office.category_id)
        assert category is not None and category.classifier_code == "0003.0009.0096.0511"
        result = await register_appeal(
            s,
            AppealInput(
                channel="telegram",
                text="Опять яма",
                contact=ContactInput(name="Ольга Кузнецова", telegram_id=5005),
                category_id=office.category_id,
            ),
            actor=Actor(telegram_id=5005),
            files_dir=settings.files_dir,
        )
        await s.commit()
        [first] = await questions.of_appeal(s, result.appeal.id)
    assert (first.classifier_code, first.text) == ("0003.0009.0096.0511", "Опять яма")
