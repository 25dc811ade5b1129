"""Forms over HTTP: the panel's editor (a clerk builds a form field by field), the public page
(answers, errors next to fields, honeypot, a double submit, the personal link), the answers list,
XLSX, the card's tags block."""

from __future__ import annotations

import io
import re

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Correspondent, CorrespondentSuggestion, CorrespondentTag, FormSubmission
from models.enums import FormPurpose
from porucheno.settings import Settings
from services.audit import Actor
from services.forms import definitions as d
from services.forms import links
from tests.services.events_support import make_event, make_manager
from tests.services.forms_support import make_form
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, csrf_token, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "correct-horse-battery"
KEY_RE = re.compile(r'name="form_key" value="([0-9a-f]{32})"')


async def _seed(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        form = await make_form(session)
        await session.commit()
        return form.id


async def _count(factory: async_sessionmaker[AsyncSession], model: type) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _open(client: TestClient, path: str) -> tuple[str, str, str]:
    response = await client.get(path)
    assert response.status == 200
    html = await response.text()
    key = KEY_RE.search(html)
    assert key
    return html, csrf_of(html), key.group(1)


def _answers(csrf: str, key: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "form_key": key,
        "f_name": "Маша Иванова",
        "f_course": "art",
        "f_agree": "1",
        "pd_consent": "1",
        **extra,
    }


async def test_public_page_answers_once_and_shows_the_thanks(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_factory)
    html, csrf, key = await _open(client, "/f/kids")
    assert "Университет детей" in html and 'name="f_course"' in html and "f-pd_consent" in html

    data = _answers(csrf, key, f_phone="+7 900 555-44-33", f_days="sat")
    response = await client.post("/f/kids", data=data, allow_redirects=False)
    assert response.status == 303
    done = await (await client.get(response.headers["Location"])).text()
    assert "Спасибо! Мы позвоним." in done
    # The same page posted again (a double click, a reload of the POST): still one answer.
    again = await client.post("/f/kids", data=data, allow_redirects=False)
    assert again.status == 303
    assert await _count(session_factory, FormSubmission) == 1
    async with session_factory() as session:
        card = await session.scalar(select(Correspondent))
        assert (
            card.name == "Маша Иванова" and card.phone_normalized == "+79005554433" and not card.phone_proven
        )
        tags = set((await session.scalars(select(CorrespondentTag.tag))).all())
    assert tags == {"дети", "университет"}


async def test_errors_next_to_fields_and_hostile_posts(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_factory)
    _html, csrf, key = await _open(client, "/f/kids")
    bad = _answers(csrf, key, f_course="forged", f_birthday="31.02.2026", f_email="maria@", f_name="я" * 5000)
    del bad["f_agree"], bad["pd_consent"]
    html = await (await client.post("/f/kids", data=bad)).text()
    for key_, text in (
        ("course", "Выберите из предложенных"),
        ("birthday", "Введите дату"),
        ("email", "Введите адрес электронной почты"),
        ("name", "Не более 100 символов"),
        ("agree", "нужно ваше согласие"),
    ):
        error = re.search(rf'<p class="error" id="e-{key_}">([^<]*)</p>', html)
        assert error and text in error.group(1), key_
    assert 'id="e-pd_consent"' in html and 'aria-invalid="true"' in html
    # What was typed stays (cut to the field's limit), nothing is stored.
    assert "31.02.2026" in html
    assert await _count(session_factory, FormSubmission) == 0
    # The honeypot filled: refused without storing.
    _html, csrf, key = await _open(client, "/f/kids")
    html = await (await client.post("/f/kids", data=_answers(csrf, key, website="http://spam"))).text()
    assert 'id="form-error"' in html and await _count(session_factory, FormSubmission) == 0
    # Without the CSRF token: refused.
    response = await client.post("/f/kids", data={**_answers("x", key)})
    assert response.status == 403


async def test_unknown_and_inactive_forms_are_a_clear_404(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    form_id = await _seed(session_factory)
    for path in ("/f/nothing-here", "/f/Кириллица", "/f/" + "x" * 300):
        response = await client.get(path)
        assert response.status == 404 and 'id="form-missing"' in await response.text()
    await make_user(session_factory, "clerk", PASSWORD, ["clerk"])
    await login(client, "clerk", PASSWORD)
    token = await csrf_token(client, "/forms")
    await client.post(f"/forms/{form_id}/active", data={"csrf_token": token, "active": "0"})
    client.session.cookie_jar.clear()
    response = await client.get("/f/kids")
    assert response.status == 404 and 'id="form-missing"' in await response.text()


async def test_personal_link_lands_on_the_card_and_plain_web_makes_a_new_one(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await _seed(session_factory)
    async with session_factory() as session:
        own = Correspondent(name="Мария", telegram_id=4242, email="own@mail.ru", email_proven=True)
        session.add(own)
        await session.commit()
        own_id = own.id
    token = links.sign(settings.secret_key, 4242)
    html, csrf, key = await _open(client, f"/f/kids?t={token}")
    assert 'id="personal-note"' in html
    response = await client.post(f"/f/kids?t={token}", data=_answers(csrf, key), allow_redirects=False)
    assert response.status == 303
    async with session_factory() as session:
        submission = await session.scalar(select(FormSubmission))
        assert submission.correspondent_id == own_id and submission.telegram_id == 4242
    # The same contact typed without the link: a new card and a suggestion, never the own card.
    html, csrf, key = await _open(client, f"/f/kids?t={token[:-2]}xx")
    assert 'id="bad-link"' in html
    response = await client.post(
        "/f/kids", data=_answers(csrf, key, f_email="own@mail.ru"), allow_redirects=False
    )
    assert response.status == 303
    async with session_factory() as session:
        second = (await session.scalars(select(FormSubmission).order_by(FormSubmission.id.desc()))).first()
        assert second.correspondent_id != own_id
        suggestion = await session.scalar(select(CorrespondentSuggestion))
        assert suggestion is not None and suggestion.candidate_id == own_id


async def test_clerk_builds_a_form_in_the_panel(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(session_factory, "clerk", PASSWORD, ["clerk"])
    await make_user(session_factory, "exec", PASSWORD, ["executor"])
    await login(client, "exec", PASSWORD)
    assert (await client.get("/forms", allow_redirects=False)).status in (302, 303, 403)
    client.session.cookie_jar.clear()
    await login(client, "clerk", PASSWORD)
    token = await csrf_token(client, "/forms/new")
    bad = await client.post("/forms/new", data={"csrf_token": token, "slug": "Плохой адрес", "title_ru": "Т"})
    assert bad.status == 400 and '<div class="alert" role="alert">' in await bad.text()
    response = await client.post(
        "/forms/new",
        data={
            "csrf_token": token,
            "slug": "library",
            "title_ru": "Запись в библиотеку",
            "purpose": "general",
            "tags": "Библиотека, дети",
            "in_bot": "1",
            "thanks_ru": "Ждём вас!",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    edit = response.headers["Location"]
    form_id = int(edit.rstrip("/").split("/")[-1])
    for key, kind, label, extra in (
        ("name", "text", "Ваше имя", {"required": "1", "maps_to": "name"}),
        (
            "visit",
            "choice",
            "Когда придёте",
            {"options": "mon | Понедельник | Monday\ntue | Вторник | Tuesday"},
        ),
        ("email", "email", "Почта", {"maps_to": "email"}),
    ):
        r = await client.post(
            f"/forms/{form_id}/fields",
            data={"csrf_token": token, "key": key, "kind": kind, "label_ru": label, **extra},
            allow_redirects=False,
        )
        assert r.status == 303, await r.text()
    # A field with a duplicate key or a bad option comes back with the error, nothing added.
    r = await client.post(
        f"/forms/{form_id}/fields",
        data={"csrf_token": token, "key": "name", "kind": "text", "label_ru": "Ещё"},
    )
    assert r.status == 400 and 'id="field-error"' in await r.text()
    r = await client.post(
        f"/forms/{form_id}/fields",
        data={
            "csrf_token": token,
            "key": "x",
            "kind": "choice",
            "label_ru": "Ещё",
            "options": "bad value! | А | A",
        },
    )
    assert r.status == 400
    html = await (await client.get(edit)).text()
    assert re.findall(r'<tr id="field-(\w+)">', html) == ["name", "visit", "email"]
    # Move «email» up, then delete «visit».
    field_ids = re.findall(rf"/forms/{form_id}/fields/(\d+)/delete", html)
    await client.post(f"/forms/{form_id}/fields/{field_ids[2]}/up", data={"csrf_token": token})
    html = await (await client.get(edit)).text()
    assert re.findall(r'<tr id="field-(\w+)">', html) == ["name", "email", "visit"]
    await client.post(f"/forms/{form_id}/fields/{field_ids[1]}/delete", data={"csrf_token": token})
    html = await (await client.get(edit)).text()
    assert re.findall(r'<tr id="field-(\w+)">', html) == ["name", "email"]
    # Edit a field's label.
    r = await client.post(
        f"/forms/{form_id}/fields/{field_ids[0]}",
        data={
            "csrf_token": token,
            "key": "name",
            "kind": "text",
            "label_ru": "Имя и фамилия",
            "required": "1",
        },
        allow_redirects=False,
    )
    assert r.status == 303
    listing = await (await client.get("/forms")).text()
    assert "Запись в библиотеку" in listing and "/f/library" in listing and "start=form_library" in listing

    # A visitor answers; the clerk sees the answer in the list, the XLSX and on the card.
    visitor_html = await (await client.get("/f/library")).text()
    assert "Имя и фамилия" in visitor_html
    key = KEY_RE.search(visitor_html).group(1)  # type: ignore[union-attr]
    r = await client.post(
        "/f/library",
        data={
            "csrf_token": csrf_of(visitor_html),
            "form_key": key,
            "f_name": "Пётр",
            "f_email": "petr@mail.ru",
            "pd_consent": "1",
        },
        allow_redirects=False,
    )
    assert r.status == 303
    answers = await (await client.get(f"/forms/{form_id}/answers")).text()
    assert "Пётр" in answers and "petr@mail.ru" in answers
    xlsx = await client.get(f"/forms/{form_id}/answers.xlsx")
    sheet = load_workbook(io.BytesIO(await xlsx.read())).active
    assert [c.value for c in sheet[2]][-2:] == ["Пётр", "petr@mail.ru"]
    async with session_factory() as session:
        card_id = await session.scalar(select(FormSubmission.correspondent_id))
    card = await (await client.get(f"/correspondents/{card_id}")).text()
    assert 'id="card-forms"' in card and "библиотека" in card and "Запись в библиотеку" in card
    await client.post(f"/correspondents/{card_id}/tags", data={"csrf_token": token, "tags": "Читатель"})
    await client.post(f"/correspondents/{card_id}/tags/remove", data={"csrf_token": token, "tag": "дети"})
    card = await (await client.get(f"/correspondents/{card_id}")).text()
    assert 'data-tag="читатель"' in card and 'data-tag="дети"' not in card


async def test_files_checked_by_bytes_and_downloaded_through_their_answer(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from aiohttp import FormData

    from services.forms import definitions as d
    from tests.services.forms_support import ACTOR
    from tests.web.test_assignments_http import tiny_png

    async with session_factory() as session:
        form = await make_form(session)
        await d.add_field(
            session, form.id, d.FieldDraft("photo", "file", "Рисунок", required=True), actor=ACTOR
        )
        await session.commit()

    def body(csrf: str, key: str, data: bytes, name: str) -> FormData:
        posted = FormData()
        for k, v in _answers(csrf, key).items():
            posted.add_field(k, v)
        posted.add_field("f_photo", data, filename=name, content_type="image/png")
        return posted

    _html, csrf, key = await _open(client, "/f/kids")
    html = await (
        await client.post("/f/kids", data=body(csrf, key, b"MZ\x90\x00 not a picture", "drawing.png"))
    ).text()
    error = re.search(r'<p class="error" id="e-photo">([^<]*)</p>', html)
    assert error and "drawing.png" in error.group(1) and "тип файла" in error.group(1)
    assert await _count(session_factory, FormSubmission) == 0
    response = await client.post(
        "/f/kids", data=body(csrf, key, tiny_png(), "drawing.png"), allow_redirects=False
    )
    assert response.status == 303

    await make_user(session_factory, "clerk", PASSWORD, ["clerk"])
    await login(client, "clerk", PASSWORD)
    async with session_factory() as session:
        submission = await session.scalar(select(FormSubmission))
    page = await (await client.get(f"/forms/answers/{submission.id}")).text()
    link = re.search(r'href="(/forms/answers/\d+/files/(\d+))"', page)
    assert link and "drawing.png" in page
    download = await client.get(link.group(1))
    assert download.status == 200 and await download.read() == tiny_png()
    # The same file asked for under another answer's address: not found.
    wrong = await client.get(f"/forms/answers/{submission.id + 1}/files/{link.group(2)}")
    assert wrong.status == 404


async def test_the_thanks_page_says_what_the_answer_did(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A registration form on the site: the first visitor reads that the seat is booked, the second
    (the event is full) that they are on the waiting list and their number — no e-mail needed."""
    manager_id = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager_id, title="Ночь в хранилище", capacity=1)
    async with session_factory() as session:
        form = await d.create_form(
            session,
            d.FormDraft(slug="night", title_ru="Запись", purpose=FormPurpose.EVENT, event_id=event_id),
            actor=Actor.system(),
        )
        await d.add_field(
            session,
            form.id,
            d.FieldDraft("name", "text", "Имя", required=True, maps_to="name"),
            actor=Actor.system(),
        )
        await session.commit()
    pages = []
    for name in ("Анна", "Борис"):
        _html, csrf, key = await _open(client, "/f/night")
        data = {"csrf_token": csrf, "form_key": key, "f_name": name, "pd_consent": "1"}
        response = await client.post("/f/night", data=data, allow_redirects=False)
        assert response.status == 303
        pages.append(await (await client.get(response.headers["Location"])).text())
    assert "Место на «Ночь в хранилище» за вами" in pages[0]
    assert "вы в листе ожидания, номер 1" in pages[1] and "Место на" not in pages[1]


async def test_a_subscription_that_could_not_be_asked_for_gets_no_false_thanks(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """«Send me news» ticked on a form whose e-mail was left empty: the page says nothing was sent
    and does not show the form's own thank-you (written for a subscription that was asked for);
    with an e-mail, the thank-you and where to confirm."""
    async with session_factory() as session:
        form = await d.create_form(
            session,
            d.FormDraft(
                slug="news",
                title_ru="Новости",
                purpose=FormPurpose.SUBSCRIPTION,
                thanks_ru="Спасибо! Подтвердите подписку — мы прислали сообщение.",
            ),
            actor=Actor.system(),
        )
        for field in (
            d.FieldDraft("name", "text", "Имя", maps_to="name"),
            d.FieldDraft("email", "email", "Почта", maps_to="email"),
            d.FieldDraft(
                "mailing", "consent", "Согласен получать новости", required=True, rules={"mailing": True}
            ),
        ):
            await d.add_field(session, form.id, field, actor=Actor.system())
        await session.commit()
    pages = []
    for email in ("", "reader@example.ru"):
        _html, csrf, key = await _open(client, "/f/news")
        data = {
            "csrf_token": csrf, "form_key": key, "f_name": "Читатель", "f_email": email,
            "f_mailing": "1", "pd_consent": "1",
        }  # fmt: skip
        response = await client.post("/f/news", data=data, allow_redirects=False)
        assert response.status == 303
        pages.append(await (await client.get(response.headers["Location"])).text())
    without, with_email = (p.split('id="form-thanks"')[1].split("</div>")[0] for p in pages)
    assert "Мы не сможем присылать вам новости" in without
    assert "мы прислали сообщение" not in without and "Спасибо! Ваши ответы получены." in without
    assert "Спасибо! Подтвердите подписку — мы прислали сообщение." in with_email
    assert "откройте ссылку" in with_email
