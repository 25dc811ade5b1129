"""Applications in the panel over HTTP: types set up by a manager with reviewers from the staff, a
paper application entered by a clerk, refusals shown on the page, the decision without contacts
kept as a note, the registry's publish / hide, and who may reach which page."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Application, ApplicationReviewer, ApplicationType, AuditEvent, RegistryEntry
from porucheno.i18n import gettext
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "applications-password-1"


def ru(message: str, **params: object) -> str:
    return gettext("ru", message, **params)


async def _as(client: TestClient, who: str) -> None:
    client.session.cookie_jar.clear()
    await login(client, who, PASSWORD)


async def _post(client: TestClient, path: str, data: dict[str, object]) -> tuple[int, str]:
    token = await csrf_token(client, "/applications")
    response = await client.post(path, data={**data, "csrf_token": token})
    return response.status, await response.text()


async def test_types_entry_decision_and_registry(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    boss = await make_user(session_factory, "boss", PASSWORD, ["manager"], full_name="Орлова Ирина")
    await make_user(session_factory, "clerk", PASSWORD, ["clerk"], full_name="Кузнецова Вера")
    expert = await make_user(session_factory, "expert", PASSWORD, ["executor"], full_name="Белов Олег")

    # A clerk may not set up types; a manager does, picking the reviewer from the staff.
    await _as(client, "clerk")
    assert (await client.get("/applications/types", allow_redirects=False)).status == 403
    await _as(client, "boss")
    status, html = await _post(
        client,
        "/applications/types/new",
        {"name_ru": "Памятник науки и техники", "criteria": "Значимость | abc", "reviewers": str(expert.id)},
    )
    assert status == 422 and "Значимость" in html
    status, html = await _post(
        client,
        "/applications/types/new",
        {
            "name_ru": "Памятник науки и техники",
            "criteria": "Историческая значимость | 10\nСохранность | 5",
            "score_max": "10",
            "to_registry": "1",
            "is_active": "1",
            "reviewers": str(expert.id),
        },
    )
    assert status == 200 and "Памятник науки и техники" in html
    async with session_factory() as s:
        kind = await s.scalar(select(ApplicationType))
        assert kind is not None and [c["max"] for c in kind.criteria] == [10, 5] and kind.to_registry
        assert list(await s.scalars(select(ApplicationReviewer.user_id))) == [expert.id]

    # A clerk enters a paper application without contacts.
    await _as(client, "clerk")
    status, html = await _post(
        client,
        "/applications/new",
        {"type_id": str(kind.id), "title": "Токарный станок 1936 года", "email": "не почта"},
    )
    assert status == 422
    status, html = await _post(
        client,
        "/applications/new",
        {"type_id": str(kind.id), "title": "Токарный станок 1936 года", "applicant_org": "Музей завода"},
    )
    assert status == 200 and "Токарный станок 1936 года" in html
    number = re.search(r'id="application-number">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    async with session_factory() as s:
        application = await s.scalar(select(Application).where(Application.number == number))
        assert application is not None
    page = f"/applications/{application.id}"
    # The clerk sees it but may not decide; a forged decision is refused on the page.
    assert 'id="decision-form"' not in html
    status, html = await _post(client, page + "/decide", {"decision": "approved", "text": "Да"})
    assert status == 403 and ru("Only a manager may decide applications.") in html

    # The reviewer sees it in their list and reviews it; a decision by the manager follows.
    await _as(client, "expert")
    assert number in await (await client.get("/applications")).text()
    status, html = await _post(client, page + "/review", {"score_c1": "8", "score_c2": "4"})
    assert status == 200 and 'id="average"' in html and "средний балл 12,0" in html  # a Russian decimal comma
    await _as(client, "boss")
    status, html = await _post(client, page + "/decide", {"decision": "maybe", "text": ""})
    assert status == 422 and ru("Choose a decision from the list.") in html
    status, html = await _post(client, page + "/decide", {"decision": "approved", "text": "Включить"})
    assert status == 200 and ru("The decision could not be sent: no contacts") in html
    async with session_factory() as s:
        notes = await s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == application.id))
        assert "decision_not_sent" in list(notes)
        entry = await s.scalar(select(RegistryEntry).where(RegistryEntry.application_id == application.id))
        assert entry is not None and entry.published

    # The registry: hide and publish again; the public list follows.
    html = await (await client.get("/council/registry")).text()
    assert entry.number in html and "Токарный станок 1936 года" in html
    status, _ = await _post(client, f"/council/registry/{entry.id}", {"op": "unpublish"})
    assert status == 200
    assert "Токарный станок" not in await (await client.get("/registry?q=станок")).text()
    await _post(client, f"/council/registry/{entry.id}", {"op": "publish"})
    assert "Токарный станок 1936 года" in await (await client.get("/registry?q=станок")).text()
    del boss


async def test_crm_card_lists_the_applications(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from models import Correspondent, User
    from services.applications import intake, types

    boss = await make_user(session_factory, "boss2", PASSWORD, ["manager"], full_name="Орлова Ирина")
    await make_user(session_factory, "worker2", PASSWORD, ["executor"], full_name="Белов Олег")
    async with session_factory() as s:
        person = Correspondent(name="Музей связи")
        s.add(person)
        await s.flush()
        manager = await s.get(User, boss.id)
        assert manager is not None
        kind = await types.create_type(s, types.TypeInput(name_ru="Экспонат"), actor=manager)
        application = await intake.enter_in_panel(
            s, intake.PanelEntry(kind.id, "Радиоприёмник «Рекорд»", correspondent_id=person.id), actor=manager
        )
        number, person_id = application.number, person.id
        await s.commit()
    await _as(client, "boss2")
    html = await (await client.get(f"/correspondents/{person_id}")).text()
    assert 'id="applications-block"' in html and number in html and "Радиоприёмник «Рекорд»" in html


async def test_web_application_with_a_file_answered_by_mail(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings
) -> None:  # type: ignore[no-untyped-def]
    """A web form's application (with a photo): the reviewer opens the file, the stranger may not; the
    manager rejects it in the panel and the applicant's e-mail gets the decision."""
    from models import Form, FormField, FormSubmission, MailOutbox, User
    from models.enums import FormPurpose, SubmissionChannel
    from services.applications import intake, types
    from services.audit import Actor
    from services.files import store_file
    from tests.web.test_assignments_http import tiny_png

    boss = await make_user(session_factory, "boss3", PASSWORD, ["manager"], full_name="Орлова Ирина")
    expert = await make_user(session_factory, "expert3", PASSWORD, ["executor"], full_name="Белов Олег")
    await make_user(session_factory, "stranger3", PASSWORD, ["executor"], full_name="Серов Павел")
    async with session_factory() as s:
        manager = await s.get(User, boss.id)
        assert manager is not None
        kind = await types.create_type(
            s, types.TypeInput(name_ru="Экспонат", reviewer_ids=[expert.id]), actor=manager
        )
        form = Form(
            slug="exhibit", title_ru="Заявка", purpose=FormPurpose.APPLICATION, application_type_id=kind.id
        )
        s.add(form)
        await s.flush()
        s.add(FormField(form_id=form.id, key="title", kind="text", label_ru="Название объекта"))
        submission = FormSubmission(
            form_id=form.id,
            channel=SubmissionChannel.WEB,
            answers={"title": "Арифмометр «Феликс»", "organisation": "Музей счёта"},
            contact_email="felix@museum.example",
            locale="ru",
        )
        s.add(submission)
        await s.flush()
        photo = await store_file(s, settings.files_dir, tiny_png(), filename="felix.png")
        photo.form_submission_id = submission.id
        application = await intake.from_submission(
            s, form=form, submission=submission, actor=Actor.system("web")
        )
        again = await intake.from_submission(s, form=form, submission=submission, actor=Actor.system("web"))
        assert again.id == application.id  # a retried intake makes no second application
        page, file_url = f"/applications/{application.id}", f"/applications/files/{photo.id}"
        number = application.number
        await s.commit()

    await _as(client, "stranger3")
    assert (await client.get(file_url)).status == 404
    await _as(client, "expert3")
    html = await (await client.get(page)).text()
    assert "Название объекта" in html and "Арифмометр «Феликс»" in html and file_url in html
    response = await client.get(file_url)
    assert response.status == 200 and response.headers["Content-Type"] == "image/png"
    await _as(client, "boss3")
    status, html = await _post(
        client, page + "/decide", {"decision": "rejected", "text": "Не относится к технике"}
    )
    assert status == 200 and ru("Rejected") in html
    async with session_factory() as s:
        letters = list(
            await s.scalars(select(MailOutbox).where(MailOutbox.to_address == "felix@museum.example"))
        )
    assert len(letters) == 2 and all(number in m.subject for m in letters)
    assert (
        "Не относится к технике" in letters[-1].body
        and ru("Your application is rejected") in letters[-1].subject
    )
