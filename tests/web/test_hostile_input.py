"""Hostile text through every web intake: control characters are stripped, oversized bodies refused.

Each test runs on SQLite and PostgreSQL; before the input guard a NUL byte gave a 500 on PostgreSQL
(asyncpg refuses it in text). The rule itself is ``services/text_input.py``: every Unicode control
character except tab and newline is removed (``\\x00``, ``\\x07``, ``\\x1b``, ``\\x7f`` included),
``\\r\\n`` becomes ``\\n``.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.views.public.form import MAX_REQUEST_BYTES
from models import Appeal, Correspondent, StoredFile, User
from tests.web.conftest import ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING, csrf_token, login
from tests.web.test_assignments_http import tiny_png
from tests.web.test_open311 import API, issue_key, request_fields
from tests.web.test_public_form_http import NUMBER_RE, appeal_form, count, make_topics

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

DIRTY = "\x00\x07\x1b[31m\x7f\x08"  # NUL, bell, an ANSI colour, DEL, backspace


def multipart(fields: dict[str, str], disposition: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand, with one file part whose disposition is taken as given."""
    boundary = "hostile-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; {disposition}\r\n'.encode()
        + b"Content-Type: image/png\r\n\r\n"
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def test_the_public_form_stores_cleaned_fields_and_file_name(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    topics = await make_topics(session_factory)
    token = await csrf_token(client, "/form")
    fields = {
        "csrf_token": token,
        # Control characters go; what is left of an ANSI colour («[31m») is no name (see below).
        "name": "Ольга\x00\x07\x7f Смирнова",
        "email": "olga@example.ru",
        "category_id": str(topics.roads),
        "address": "ул. Ленина,\x00 5",
        "text": f"Яма{DIRTY} на тротуаре.\r\nВторая строка\tс табуляцией.",
        "consent": "1",
    }
    # aiohttp's client refuses control characters in a file name; a hostile client does not.
    body, content_type = multipart(fields, "filename*=utf-8''%D1%8F%D0%BC%00%D0%B0%1B.png", tiny_png())
    response = await client.post(
        "/form", data=body, headers={"Content-Type": content_type}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    html = await (await client.get("/form/done")).text()
    assert NUMBER_RE.search(html), html

    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal))
        assert appeal is not None
        assert appeal.text == "Яма[31m на тротуаре.\nВторая строка\tс табуляцией."
        assert appeal.address == "ул. Ленина, 5"
        person = await s.get(Correspondent, appeal.correspondent_id)
        assert person is not None and person.name == "Ольга Смирнова"
        stored = (await s.scalars(select(StoredFile).where(StoredFile.appeal_id == appeal.id))).all()
        assert [f.original_name for f in stored] == ["яма.png"]

    # A name carrying an escape sequence's remains is refused with a message, and nothing is stored.
    fields |= {"csrf_token": await csrf_token(client, "/form"), "name": f"Ольга{DIRTY} Смирнова"}
    body, content_type = multipart(fields, "filename=yama.png", tiny_png())
    refused = await client.post("/form", data=body, headers={"Content-Type": content_type})
    assert "В имени не бывает цифр." in await refused.text()  # the «31» of the colour
    assert await count(session_factory, Appeal) == 1


async def test_open311_values_and_query_parameters_are_cleaned(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    await login(client)
    key = await issue_key(client, "Портал")
    fields = request_fields(
        key,
        description=f"Провал{DIRTY} асфальта",
        first_name="Пётр\x00",
        address_string="Красная\x07 площадь, 1",
    )
    response = await client.post(f"{API}/requests.json", data=fields)
    assert response.status == 201, await response.text()
    number = (await response.json())[0]["service_request_id"]
    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal))
        assert appeal is not None and appeal.reg_number == number
        assert appeal.text.startswith("Провал[31m асфальта")
        assert appeal.address == "Красная площадь, 1"
        person = await s.get(Correspondent, appeal.correspondent_id)
        assert person is not None and person.name == "Пётр Иванов"

    # Query parameters and path parameters of the reading API.
    response = await client.get(f"{API}/requests.json", params={"service_request_id": f"{number}\x00"})
    assert response.status == 200
    assert [r["service_request_id"] for r in await response.json()] == [number]
    response = await client.get(f"{API}/requests.json?service_code=%00roads&status=open%07")
    assert response.status == 200 and isinstance(await response.json(), list)
    response = await client.get(f"{API}/requests/{number}%00.json")
    assert response.status == 200 and (await response.json())[0]["service_request_id"] == number
    response = await client.get(f"{API}/requests/%00%1b.json")
    assert response.status == 404
    assert (await response.json())[0]["code"] == 404

    # A JSON body is read like a form and cleaned the same way: a clear JSON answer, whatever it contains.
    response = await client.post(
        f"{API}/requests.json",
        data=json.dumps({"api_key": key, "description": "\x00"}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 400 and (await response.json())[0]["code"] == 400


async def test_panel_search_and_comment_with_control_characters(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    topics = await make_topics(session_factory)
    token = await csrf_token(client, "/form")
    response = await client.post("/form", data=appeal_form(token, topics.roads), allow_redirects=False)
    assert response.status == 303
    # A control character in the query of the sign-in post: cleaned, and the session still starts.
    token = await csrf_token(client)
    response = await client.post(
        "/login?next=%00",
        data={"login": "admin", "password": ADMIN_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 303
    assert 'action="/logout"' in await (await client.get("/")).text()
    for path in ("/correspondents?q=%00Ольга%07", "/appeals?q=%00Яма%1b", "/correspondents/lookup?q=%00О"):
        response = await client.get(path)
        assert response.status == 200, path
    html = await (await client.get("/correspondents?q=%00Ольга%07")).text()
    assert "Ольга Смирнова" in html

    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal))
        assert appeal is not None
        appeal_id = appeal.id
    token = await csrf_token(client, f"/appeals/{appeal_id}")
    response = await client.post(
        f"/appeals/{appeal_id}/answer",
        data={"csrf_token": token, "answer": f"Яму{DIRTY} заделают.\r\nСпасибо."},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    async with session_factory() as s:
        appeal = await s.get(Appeal, appeal_id)
        assert appeal is not None and appeal.answer_text == "Яму[31m заделают.\nСпасибо."


async def _raw_request(client: TestClient, head: str, body: bytes = b"") -> tuple[int, str]:
    """Send bytes over a plain socket and read one answer (by its Content-Length)."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(head.encode() + b"\r\n\r\n" + body)
        await writer.drain()
        answer_head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        lines = answer_head.decode().split("\r\n")
        headers = {k.lower(): v for k, _, v in (x.partition(": ") for x in lines[1:])}
        length = int(headers["content-length"])
        answer = await asyncio.wait_for(reader.readexactly(length), timeout=5)
    finally:
        writer.close()
    return int(lines[0].split()[1]), answer.decode()


async def test_oversized_anonymous_bodies_get_413_before_they_are_read(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    host = f"Host: {client.host}:{client.port}"
    # Only the headers are sent: the answer comes from Content-Length alone, the body is never read.
    status, rest = await _raw_request(
        client,
        f"POST /form HTTP/1.1\r\n{host}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {MAX_REQUEST_BYTES + 1}",
    )
    assert status == 413
    assert "Запрос слишком большой" in rest and "Traceback" not in rest
    status, rest = await _raw_request(
        client,
        f"POST {API}/requests.json HTTP/1.1\r\n{host}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {5 * 1024 * 1024}",
    )
    assert status == 413 and '"code": 413' in rest

    # Without a length (chunked), the streamed cap stops reading at the limit.
    chunk = b"description=" + b"a" * (1024 * 1024 + 10)
    body = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
    status, rest = await _raw_request(
        client,
        f"POST {API}/requests.json HTTP/1.1\r\n{host}\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
        body,
    )
    assert status == 413 and '"code": 413' in rest
    assert await count(session_factory, Appeal) == 0


async def test_bodies_that_are_not_forms_get_a_clear_400(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    bodies = [
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: broken\r\n\r\nx\r\n--zz--\r\n"),
        ("application/x-www-form-urlencoded", b"text=\xff\xfe\x00"),
    ]
    for content_type, body in bodies:
        for path in ("/form", f"{API}/requests.json"):
            response = await client.post(path, data=body, headers={"Content-Type": content_type})
            text = await response.text()
            assert response.status in (400, 403), (path, content_type, response.status, text)
            assert "Traceback" not in text and response.status != 500
    response = await client.post("/form", data=b"text=\xff", headers={"Content-Type": bodies[2][0]})
    assert response.status == 400
    assert "Отправленные данные не удалось прочитать как форму" in await response.text()
    response = await client.post(
        f"{API}/requests.json", data=b"a=\xff", headers={"Content-Type": bodies[2][0]}
    )
    assert response.status == 400 and (await response.json())[0]["code"] == 400
    assert await count(session_factory, Appeal) == 0
