"""The public appeal form over plain HTTP: validation, files, the honeypot, the rate limit, status."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Category, Correspondent, CorrespondentSuggestion, StoredFile
from services.audit import Actor
from services.staff import create_department
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token
from tests.web.test_assignments_http import tiny_png

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

NUMBER_RE = re.compile(r'id="reg-number">(\d{4}-\d{6})<')
CODE_RE = re.compile(r'id="access-code">([A-Z0-9-]+)<')


@dataclass(frozen=True)
class Topics:
    roads: int
    lighting: int
    hidden: int


async def make_topics(session_factory: async_sessionmaker[AsyncSession]) -> Topics:
    async with session_factory() as s:
        roads_dept = await create_department(s, Actor.system("test"), "Отдел дорожного хозяйства")
        roads = Category(
            code="roads",
            name_ru="Дороги и тротуары",
            name_en="Roads",
            answer_days=15,
            department_id=roads_dept.id,
        )
        lighting = Category(code="lighting", name_ru="Уличное освещение", name_en="Street lighting")
        hidden = Category(code="old", name_ru="Архивная тема", name_en="Archived", is_active=False)
        s.add_all([roads, lighting, hidden])
        await s.commit()
        return Topics(roads.id, lighting.id, hidden.id)


def appeal_form(token: str, topic: int, **overrides: object) -> FormData:
    fields: dict[str, object] = {
        "csrf_token": token,
        "name": "Ольга Смирнова",
        "email": "Olga.Smirnova@example.ru",
        "phone": "",
        "category_id": str(topic),
        "address": "ул. Ленина, 5",
        "text": "Яма на тротуаре у подъезда №2.",
        "consent": "1",
        "website": "",
    } | overrides
    data = FormData()
    for name, value in fields.items():
        if value is not None:
            data.add_field(name, str(value))
    return data


async def count(session_factory: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_factory() as s:
        return await s.scalar(select(func.count()).select_from(model)) or 0


async def submit(client: TestClient, data: FormData) -> tuple[int, str]:
    response = await client.post("/form", data=data)
    return response.status, await response.text()


async def test_errors_keep_the_input_and_register_nothing(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    topics = await make_topics(session_factory)
    page = await client.get("/form")
    html = await page.text()
    assert page.status == 200
    assert "Дороги и тротуары" in html and "Архивная тема" not in html
    assert 'href="/login"' not in html and "Поручения" not in html  # no staff menu
    token = await csrf_token(client, "/form")

    status, html = await submit(
        client, appeal_form(token, topics.roads, email="not-an-address", phone="12", consent=None)
    )
    assert status == 200
    assert "Введите адрес электронной почты" in html
    assert "Введите номер телефона" in html
    assert "Без вашего согласия" in html
    assert 'value="Ольга Смирнова"' in html and "Яма на тротуаре у подъезда №2." in html

    status, html = await submit(client, appeal_form(token, topics.hidden, email="", phone=""))
    assert "Укажите адрес электронной почты или телефон" in html
    assert "Выберите значение из списка" in html  # an inactive topic is not offered

    exe = FormData()
    for name, value in {
        "csrf_token": token,
        "name": "Ольга",
        "email": "o@example.ru",
        "text": "Текст",
        "category_id": str(topics.roads),
        "consent": "1",
    }.items():
        exe.add_field(name, value)
    exe.add_field("attachments", b"MZ\x90\x00" + b"\x00" * 64, filename="virus.exe")
    status, html = await submit(client, exe)
    assert "virus.exe: Такой тип файла не принимается" in html
    assert "Выберите файлы ещё раз" in html

    status, html = await submit(client, appeal_form(token, topics.roads, website="http://spam.example"))
    assert "Не удалось отправить обращение" in html
    assert await count(session_factory, Appeal) == 0


async def test_a_resident_registers_an_appeal_with_a_big_photo_and_checks_its_status(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    topics = await make_topics(session_factory)
    token = await csrf_token(client, "/form")
    big_photo = tiny_png() + b"\x00" * (1536 * 1024)  # over the panel's default 1 MB body limit
    data = appeal_form(token, topics.roads, phone="8 (916) 123-45-67")
    data.add_field("attachments", big_photo, filename="pothole.png", content_type="image/png")
    response = await client.post("/form", data=data, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/form/done"
    html = await (await client.get("/form/done")).text()
    number, code = NUMBER_RE.search(html), CODE_RE.search(html)
    assert number and code, html
    assert "Срок ответа" in html
    assert "Ответ придёт на адрес Olga.Smirnova@example.ru." in html  # the e-mail given with it
    # The code is shown once: a reload of the page shows the number only.
    again = await (await client.get("/form/done")).text()
    assert number.group(1) in again and code.group(1) not in again

    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal))
        assert appeal is not None and appeal.reg_number == number.group(1)
        assert appeal.channel == "web" and appeal.category_id == topics.roads
        assert appeal.address == "ул. Ленина, 5"
        person = await s.get(Correspondent, appeal.correspondent_id)
        assert person is not None and person.name == "Ольга Смирнова"
        assert person.phone_normalized == "+79161234567"
        stored = (await s.scalars(select(StoredFile).where(StoredFile.appeal_id == appeal.id))).all()
        assert [(f.original_name, f.size) for f in stored] == [("pothole.png", len(big_photo))]
        appeal_id = appeal.id

    # Other anonymous routes keep the default 1 MB cap.
    login_token = await csrf_token(client, "/login")
    too_big = {"csrf_token": login_token, "login": "x" * (1100 * 1024), "password": "p"}
    assert (await client.post("/login", data=too_big)).status == 413

    async def check(given: str, reg_number: str = number.group(1)) -> str:
        token = await csrf_token(client, "/form/status")
        response = await client.post(
            "/form/status", data={"csrf_token": token, "number": reg_number, "code": given}
        )
        return await response.text()

    refused = "Обращение с таким номером и кодом доступа не найдено"
    # The contacts given with the appeal open nothing; a wrong code or number gets the same reply.
    assert refused in await check("olga.smirnova@example.ru")
    assert refused in await check("+7 916 123 45 67")
    assert refused in await check("AAAA-BBBB-CCCC")
    assert refused in await check(code.group(1), reg_number="2020-000001")
    html = await check(code.group(1).lower().replace("-", " "))
    assert "Зарегистрировано, ожидает передачи в работу" in html
    async with session_factory() as s:
        appeal = await s.get(Appeal, appeal_id)
        assert appeal is not None
        appeal.status, appeal.answer_text = "answered", "Яму заделают до 1 декабря."
        await s.commit()
    html = await check(code.group(1))
    assert "Дан ответ" in html and "Яму заделают до 1 декабря." in html


async def test_a_flood_from_one_address_is_stopped_with_a_friendly_page(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    topics = await make_topics(session_factory)
    token = await csrf_token(client, "/form")
    for i in range(5):
        response = await client.post(
            "/form",
            data=appeal_form(token, topics.lighting, text=f"Не горит фонарь №{i}"),
            allow_redirects=False,
        )
        assert response.status == 303
    response = await client.post("/form", data=appeal_form(token, topics.lighting), allow_redirects=False)
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
    html = await response.text()
    assert "Слишком много запросов" in html and "Попробуйте ещё раз через 10 мин." in html
    assert await count(session_factory, Appeal) == 5
    async with session_factory() as s:
        # Typed contacts join nothing: five records, and the four later ones are each one
        # suggestion for a clerk to merge into the first.
        assert await s.scalar(select(func.count()).select_from(Correspondent)) == 5
        assert await s.scalar(select(func.count()).select_from(CorrespondentSuggestion)) == 4


async def test_the_name_needs_a_surname_and_other_is_the_last_topic(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """59-FZ art. 7: an appeal carries the surname and the name, checked as in the bot; the topics
    read in the page's language with «Другое» last, as the bot offers them."""
    topics = await make_topics(session_factory)
    async with session_factory() as s:
        s.add(Category(code="other", name_ru="Другое", name_en="Other"))
        await s.commit()
    page = await (await client.get("/form")).text()
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)
    assert offered == ["Дороги и тротуары", "Уличное освещение", "Другое"], offered

    token = await csrf_token(client, "/form")
    _, html = await submit(client, appeal_form(token, topics.roads, name="Ольга"))
    assert "Напишите и фамилию, и имя (и отчество, если оно есть)." in html
    _, html = await submit(client, appeal_form(token, topics.roads, name="О. Смирнова"))
    assert "Напишите имя и отчество полностью" in html, html
    assert await count(session_factory, Appeal) == 0

    response = await client.post(
        "/form", data=appeal_form(token, topics.roads, name="смирнова ольга петровна"), allow_redirects=False
    )
    assert response.status == 303
    async with session_factory() as s:
        names = list(await s.scalars(select(Correspondent.name)))
    assert names == ["Смирнова Ольга Петровна"]  # tidied as the bot tidies it
