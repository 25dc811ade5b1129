"""What a user sees in the panel's pick lists and answers, on the full demo: the production
calendar's day types in Russian, form answers as the options' words (never a Python list), the
executors in alphabetical order."""

from __future__ import annotations

import re
from html import unescape

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.i18n import LOCALE_COOKIE
from models import Form, FormSubmission
from models.enums import FormPurpose
from services.staff import name_key
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, login
from tests.web.layout_support import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, seed_long_demo

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


def _options(html: str, select_id: str) -> list[tuple[str, str]]:
    start = html.index(f'id="{select_id}"')
    body = html[start : html.index("</select>", start)]
    return [(v, unescape(t).strip()) for v, t in OPTION.findall(body) if v]


def _cells(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    ]


async def test_pick_lists_and_answers_read_as_words(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await seed_long_demo(session_factory)
    await login(client, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD)

    # The calendar's add-day form: the day types in the panel's language, both languages.
    kinds = _options(await (await client.get("/work-calendar")).text(), "f-kind")
    assert [t for _v, t in kinds] == [
        "Праздничный (нерабочий по постановлению)",
        "Собственный выходной",
        "Рабочий (перенесённый)",
        "Сокращённый день",
    ], kinds
    client.session.cookie_jar.update_cookies({LOCALE_COOKIE: "en"})
    english = _options(await (await client.get("/work-calendar")).text(), "f-kind")
    assert [t for _v, t in english][1] == "Own day off"
    client.session.cookie_jar.update_cookies({LOCALE_COOKIE: "ru"})

    # Executors, controllers and the executor filter: one list, by full name.
    new = await (await client.get("/assignments/new")).text()
    listing = await (await client.get("/assignments")).text()
    for html, select_id in ((new, "f-executor_id"), (new, "f-controller_id"), (listing, "filter-executor")):
        names = [t for _v, t in _options(html, select_id)]
        assert len(names) > 3 and names == sorted(names, key=name_key), (select_id, names)
    assert (
        "<optgroup"
        not in new[new.index('id="f-executor_id"') : new.index("</select>", new.index('id="f-executor_id"'))]
    )

    # The volunteer questionnaire's answers: the options' words, never "['any']".
    async with session_factory() as s:
        form = await s.scalar(select(Form).where(Form.purpose == FormPurpose.VOLUNTEER))
        assert form is not None
        first = await s.scalar(
            select(FormSubmission).where(FormSubmission.form_id == form.id).order_by(FormSubmission.id)
        )
        assert first is not None
        # A value in the wrong shape (the field's kind was changed by an admin): still the words.
        first.answers = {
            **first.answers,
            "availability": ["weekends", "evenings", "no_such_code"],
            "skills": "photo",
        }
        await s.commit()
        form_id, first_id = form.id, first.id
    answers = await (await client.get(f"/forms/{form_id}/answers")).text()
    cells = _cells(answers)
    assert not [c for c in cells if "[" in c or "'" in c], cells
    assert "Выходные, По вечерам, no_such_code" in cells and "Фото и видео" in cells, cells
    assert "Мастер-классы, Работа с детьми" in cells and "Когда угодно" in cells, cells
    page = unescape(await (await client.get(f"/forms/answers/{first_id}")).text())
    assert "Выходные, По вечерам, no_such_code" in page and "['" not in page
    client.session.cookie_jar.update_cookies({LOCALE_COOKIE: "en"})
    page = unescape(await (await client.get(f"/forms/answers/{first_id}")).text())
    assert "Weekends, Evenings, no_such_code" in page and "Photo and video" in page
    client.session.cookie_jar.update_cookies({LOCALE_COOKIE: "ru"})

    # The demo volunteers' skills are words, not option codes.
    volunteers = await (await client.get("/volunteers")).text()
    assert "Гардероб" in volunteers and ">cloakroom<" not in volunteers and "guide" not in volunteers
