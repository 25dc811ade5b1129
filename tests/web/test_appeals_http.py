"""Appeals and correspondents in the panel over plain HTTP: who may enter, CSRF, refusals, files, JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Category, StoredFile, TelegramAccount
from porucheno.i18n import gettext
from porucheno.settings import Settings
from services.appeals.intake import AppealInput, ContactInput, IncomingFile, register_appeal
from services.audit import Actor
from services.staff import create_department, create_user
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_of
from tests.web.test_assignments_http import PASSWORD, client_for, page_text, tiny_png

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

RESIDENT_TG = 5005
ROW_RE = re.compile(r'<tr data-id="(\d+)"')
NEXT_RE = re.compile(r'href="([^"]+)" id="page-next"')


@dataclass(frozen=True)
class Office:
    department_id: int
    category_id: int
    clerk_id: int
    ivan_id: int  # executor in the department, linked to Telegram
    appeal_id: int  # came by Telegram from «Ольга Кузнецова», with a photo


async def make_office(
    session_factory: async_sessionmaker[AsyncSession], files_dir: Path, *, staff_logins: bool = False
) -> Office:
    """A department with a clerk, a controller, an executor and one Telegram appeal, all via services.

    Only the clerk can sign in unless ``staff_logins``: each password costs a second of Argon2.
    """
    actor = Actor.system("test")
    password = PASSWORD if staff_logins else None
    async with session_factory() as s:
        housing = await create_department(s, actor, "Отдел ЖКХ")
        clerk = await create_user(
            s, actor, full_name="Елена Письмоводова", roles=["clerk"], login="clerk", password=PASSWORD
        )
        await create_user(
            s, actor, full_name="Мария Контролёва", roles=["controller"], login="control", password=password
        )
        ivan = await create_user(
            s,
            actor,
            full_name="Иван Петров",
            department_id=housing.id,
            login="ivan",
            password=password,
            telegram_id=1001,
        )
        category = Category(code="roads", name_ru="Дороги и тротуары", name_en="Roads", answer_days=30)
        s.add(category)
        s.add(TelegramAccount(id=RESIDENT_TG, chat_id=RESIDENT_TG, first_name="Ольга"))
        await s.flush()
        result = await register_appeal(
            s,
            AppealInput(
                channel="telegram",
                text="Глубокая яма на дороге у дома 5",
                contact=ContactInput(name="Ольга Кузнецова", telegram_id=RESIDENT_TG),
                category_id=category.id,
                address="ул. Ленина, 5",
                files=[IncomingFile(data=tiny_png(), filename="яма.png")],
            ),
            actor=Actor(telegram_id=RESIDENT_TG),
            files_dir=files_dir,
        )
        await s.commit()
        return Office(housing.id, category.id, clerk.id, ivan.id, result.appeal.id)


async def test_only_appeal_staff_get_in(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir, staff_logins=True)
    async with session_factory() as s:
        file_id = await s.scalar(select(StoredFile.id).where(StoredFile.appeal_id == office.appeal_id))
    paths = [
        "/appeals",
        f"/appeals/{office.appeal_id}",
        f"/appeals/{office.appeal_id}/assign",
        "/appeals/new",
        f"/appeals/files/{file_id}",
        "/correspondents",
        "/correspondents/lookup?q=ольга",
    ]
    for login_name in ("ivan", "control"):
        client = await client_for(app_factory, login_name)
        try:
            for path in paths:
                response = await client.get(path, allow_redirects=False)
                assert response.status == 403, (login_name, path)
            assert 'href="/appeals"' not in await page_text(client, "/")
        finally:
            await client.close()

    clerk = await client_for(app_factory, "clerk")
    try:
        home = await page_text(clerk, "/")
        assert 'href="/appeals"' in home and 'href="/correspondents"' in home
        page = await page_text(clerk, f"/appeals/{office.appeal_id}")
        assert "Ольга Кузнецова" in page and "ул. Ленина, 5" in page and "Дороги и тротуары" in page
        response = await clerk.get(f"/appeals/files/{file_id}")
        assert response.status == 200 and response.content_type == "image/png"
        assert await response.read() == tiny_png()
        found = await (await clerk.get("/correspondents/lookup?q=КУЗНЕЦ")).json()
        assert [i["name"] for i in found["items"]] == ["Ольга Кузнецова"]
    finally:
        await clerk.close()
    anonymous = TestClient(TestServer(app_factory(), host="127.0.0.1"))
    await anonymous.start_server()
    try:
        response = await anonymous.get("/appeals", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login")
    finally:
        await anonymous.close()


async def test_actions_need_the_csrf_token_and_refusals_keep_the_input(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    clerk = await client_for(app_factory, "clerk")
    base = f"/appeals/{office.appeal_id}"
    try:
        token = csrf_of(await page_text(clerk, base))
        forged = await clerk.post(f"{base}/answer", data={"answer": "Яму засыпали."})
        assert forged.status == 403 and "Обновите страницу" in await forged.text()
        async with session_factory() as s:
            appeal = await s.get(Appeal, office.appeal_id)
            assert appeal is not None and appeal.answer_text is None and appeal.status == "registered"

        too_long = await clerk.post(
            f"{base}/extend", data={"days": "45", "extend_reason": "Нужна экспертиза", "csrf_token": token}
        )
        html = await too_long.text()
        assert "Укажите число дней от 1 до 30." in html and "Нужна экспертиза" in html

        done = await clerk.post(
            f"{base}/extend", data={"days": "10", "extend_reason": "Нужна экспертиза", "csrf_token": token}
        )
        assert "Срок ответа продлён." in await done.text()
        again = await clerk.post(
            f"{base}/extend", data={"days": "5", "extend_reason": "Ещё раз", "csrf_token": token}
        )
        refusal = gettext("ru", "The answer deadline has already been extended once.")
        assert f'<div class="alert" role="alert">{refusal}</div>' in await again.text()
        async with session_factory() as s:
            appeal = await s.get(Appeal, office.appeal_id)
            assert appeal is not None and appeal.extension_reason == "Нужна экспертиза"

        merge = await clerk.post("/correspondents/1/merge/2", data={})
        assert merge.status == 403
    finally:
        await clerk.close()


async def test_list_filters_pages_and_flags_overdue(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    now = datetime.now(UTC)
    async with session_factory() as s:
        for i in range(26):  # the first one is 40 days old: past its 30-day answer term
            await register_appeal(
                s,
                AppealInput(
                    channel="paper",
                    text=f"Письмо №{i} о вывозе мусора",
                    contact=ContactInput(name="Пётр Сидоров", phone="+7 916 555-44-33"),
                ),
                actor=Actor.system("test"),
                files_dir=settings.files_dir,
                now=now - timedelta(days=40) if i == 0 else now - timedelta(minutes=30 - i),
            )
        await s.commit()
        telegram_number = (await s.get(Appeal, office.appeal_id)).reg_number  # type: ignore[union-attr]
    clerk = await client_for(app_factory, "clerk")
    try:
        first = await page_text(clerk, "/appeals")
        assert "Найдено: 27." in first and "Просрочено обращений: 1" in first
        assert len(ROW_RE.findall(first)) == 25
        second = await page_text(clerk, NEXT_RE.findall(first)[0].replace("&amp;", "&"))
        seen = ROW_RE.findall(first) + ROW_RE.findall(second)
        assert len(seen) == len(set(seen)) == 27

        overdue = await page_text(clerk, "/appeals?overdue=1")
        rows = ROW_RE.findall(overdue)
        assert len(rows) == 1 and 'class="overdue"' in overdue and "просрочено" in overdue
        for query, expected in (
            (f"q={telegram_number}", 1),
            ("q=сидоров", 26),
            ("q=916 555", 26),
            ("q=ВЫВОЗЕ", 26),
            ("channel=telegram", 1),
            ("channel=paper&q=№7 о", 1),
            ("status=answered", 0),
        ):
            html = await page_text(clerk, f"/appeals?{query}")
            assert f"Найдено: {expected}." in html, query
    finally:
        await clerk.close()


async def test_paper_letter_form_refuses_a_wrong_scan_and_keeps_the_input(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_office(session_factory, settings.files_dir)
    clerk = await client_for(app_factory, "clerk")

    def letter(token: str | None) -> FormData:
        form = FormData()
        if token:
            form.add_field("csrf_token", token)
        form.add_field("name", "Анна Смирнова")
        form.add_field("email", "not-an-address")
        form.add_field("text", "Прошу установить скамейку во дворе.")
        form.add_field("scans", b"just some text", filename="scan.exe", content_type="application/pdf")
        return form

    try:
        token = csrf_of(await page_text(clerk, "/appeals/new"))
        assert (await clerk.post("/appeals/new", data=letter(None))).status == 403
        response = await clerk.post("/appeals/new", data=letter(token))
        html = await response.text()
        assert response.status == 200
        assert "scan.exe: принимаются только сканы в форматах PDF, JPEG или PNG." in html
        assert "Введите корректный адрес эл. почты." in html
        assert "Прошу установить скамейку во дворе." in html and 'value="Анна Смирнова"' in html
        async with session_factory() as s:
            assert await s.scalar(select(func.count()).select_from(Appeal)) == 1  # only the seeded one
    finally:
        await clerk.close()
