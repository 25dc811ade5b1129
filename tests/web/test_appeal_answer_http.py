"""Issue #12 over HTTP: an applicant who left only a phone learns how the answer comes, the clerk sees
the route and answers with a file, the status page hands the file out only with number and code, the
printable letter; and the panel's new-assignment form takes the appeal number as shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Assignment, AuditEvent, OrgCard, StoredFile
from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_of, csrf_token
from tests.web.test_appeals_http import make_office
from tests.web.test_assignments_http import client_for, local_input, page_text
from tests.web.test_public_form_http import CODE_RE, NUMBER_RE, appeal_form

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_phone_only_applicant_is_told_the_route_and_gets_the_answer_file_with_the_code(
    client: TestClient,
    app_factory: AppFactory,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    token = await csrf_token(client, "/form")
    data = appeal_form(token, office.category_id, email="", phone="8 (916) 123-45-67")
    response = await client.post("/form", data=data, allow_redirects=False)
    assert response.status == 303
    done = await (await client.get("/form/done")).text()
    number, code = NUMBER_RE.search(done), CODE_RE.search(done)
    assert number and code
    route = re.search(r'id="answer-route">(.*?)</div>', done, re.S)
    assert route is not None, done
    assert "Вы не указали e-mail или Telegram" in route.group(1)
    assert "на странице проверки статуса по регистрационному номеру и коду доступа" in route.group(1)
    assert "позвоним вам по номеру 8 (916) 123-45-67" in route.group(1)
    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal).where(Appeal.reg_number == number.group(1)))
        assert appeal is not None
        appeal_id = appeal.id
        # The organisation's card heads the printed letter.
        s.add(
            OrgCard(
                id=1,
                name="Администрация г. Энска",
                address="г. Энск, пл. Ленина, 1",
                phone="+7 (495) 000-00-00",
                inn="5000000001",
            )
        )
        await s.commit()

    clerk = await client_for(app_factory, "clerk")
    try:
        page = await page_text(clerk, f"/appeals/{appeal_id}")
        assert "Нет e-mail и Telegram: позвоните заявителю по номеру 8 (916) 123-45-67" in page
        form = FormData(quote_fields=False)
        form.add_field("csrf_token", csrf_of(page))
        form.add_field("answer", "Яму заделают до 1 декабря, смета приложена.")
        form.add_field("answer_files", PDF, filename="смета.pdf", content_type="application/pdf")
        response = await clerk.post(f"/appeals/{appeal_id}/answer", data=form, allow_redirects=False)
        assert response.status == 303, await response.text()
        page = await page_text(clerk, f"/appeals/{appeal_id}")
        assert 'id="answer-files"' in page and "смета.pdf" in page
        assert 'id="print-letter"' in page
        letter = await page_text(clerk, f"/appeals/{appeal_id}/letter")
        assert "Яму заделают до 1 декабря" in letter and "смета.pdf" in letter
        assert f"Ответ на ваше обращение № {number.group(1)}" in letter
        assert "Телефон: 8 (916) 123-45-67" in letter
        head = re.search(r'id="letterhead">(.*?)</header>', letter, re.S)
        assert head is not None, letter
        assert "Администрация г. Энска" in head.group(1) and "г. Энск, пл. Ленина, 1" in head.group(1)
        assert "Телефон: +7 (495) 000-00-00" in head.group(1) and "ИНН 5000000001" in head.group(1)
    finally:
        await clerk.close()
    async with session_factory() as s:
        stored = await s.scalar(select(StoredFile).where(StoredFile.appeal_id == appeal_id))
        assert stored is not None and stored.for_answer and stored.original_name == "смета.pdf"
        file_id = stored.id

    token = await csrf_token(client, "/form/status")
    status = await client.post(
        "/form/status", data={"csrf_token": token, "number": number.group(1), "code": code.group(1)}
    )
    html = await status.text()
    assert "Яму заделают до 1 декабря" in html and "смета.pdf" in html
    fields = {"csrf_token": token, "number": number.group(1), "file_id": str(file_id)}
    wrong = await client.post("/form/status/file", data=fields | {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status == 404
    right = await client.post("/form/status/file", data=fields | {"code": code.group(1)})
    assert right.status == 200 and await right.read() == PDF


async def test_new_assignment_form_links_the_appeal_by_the_number_shown(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir, staff_logins=True)
    async with session_factory() as s:
        appeal = await s.get(Appeal, office.appeal_id)
        assert appeal is not None
        number, seq, year = appeal.reg_number, appeal.reg_seq, appeal.reg_year
    control = await client_for(app_factory, "control")
    deadline = datetime.now(UTC) + timedelta(days=3)

    def form(token: str, reference: str) -> FormData:
        data = FormData(quote_fields=False)
        for name, value in (
            ("csrf_token", token),
            ("title", "Засыпать яму"),
            ("executor_id", str(office.ivan_id)),
            ("deadline", local_input(deadline)),
            ("priority", "normal"),
            ("appeal_id", reference),
        ):
            data.add_field(name, value)
        return data

    try:
        token = await csrf_token(control, "/assignments/new")
        refused = await control.post("/assignments/new", data=form(token, f"{year}-000077"))
        assert f"Обращения с номером {year}-000077 нет." in await refused.text()
        garbage = await control.post("/assignments/new", data=form(token, "яма"))
        assert f"Введите номер обращения, например {year}-000004." in await garbage.text()
        created = []
        for reference in (number, f"{seq}/{year}", f"{seq:06d}"):
            response = await control.post(
                "/assignments/new", data=form(token, reference), allow_redirects=False
            )
            assert response.status == 303, (reference, await response.text())
            created.append(int(response.headers["Location"].rsplit("/", 1)[1]))
        # The assignment's page names the appeal by the number people use, not the database id.
        page = await (await control.get(f"/assignments/{created[0]}")).text()
        assert f"№{number}" in page
    finally:
        await control.close()
    async with session_factory() as s:
        linked = (await s.scalars(select(Assignment.appeal_id).where(Assignment.id.in_(created)))).all()
        assert linked == [office.appeal_id] * 3
        # Linking from the panel's form moves the appeal into work and writes its history.
        appeal = await s.get(Appeal, office.appeal_id)
        assert appeal is not None and appeal.status == "in_work"
        history = (
            await s.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.entity_type == "appeal", AuditEvent.entity_id == office.appeal_id
                )
            )
        ).all()
        assert history.count("assignment_created") == 3 and "status_changed" in history
        assert await s.scalar(select(AuditEvent.id).where(AuditEvent.action == "answered")) is None
