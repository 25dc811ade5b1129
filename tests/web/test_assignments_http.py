"""Assignments in the panel over plain HTTP: visibility, files, refused actions, paging, the outbox."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment, AuditEvent, OutboxMessage, StoredFile, User
from models.enums import AssignmentStatus
from porucheno.settings import Settings
from services.assignments import commands, reports
from services.assignments.lifecycle import Action
from services.audit import Actor
from services.files import FileOrigin, store_file
from services.staff import create_department, create_user
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_token, login

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

PASSWORD = "correct-horse-battery"
MOSCOW = ZoneInfo("Europe/Moscow")
ROW_RE = re.compile(r'<tr data-id="(\d+)"')
NEXT_RE = re.compile(r'href="([^"]+)" id="page-next"')
PREV_RE = re.compile(r'href="([^"]+)" id="page-prev"')


def tiny_png() -> bytes:
    """A valid 1×1 PNG, so the MIME check (from the bytes) accepts it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class World:
    housing_id: int
    schools_id: int
    control: User
    ivan: User  # executor in housing, linked to Telegram
    oleg: User  # executor in schools


async def make_world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    actor = Actor.system("test")
    async with session_factory() as s:
        housing = await create_department(s, actor, "Отдел ЖКХ")
        schools = await create_department(s, actor, "Отдел образования")
        control = await create_user(
            s,
            actor,
            full_name="Мария Контролёва",
            roles=["controller"],
            department_id=housing.id,
            login="control",
            password=PASSWORD,
        )
        ivan = await create_user(
            s,
            actor,
            full_name="Иван Петров",
            department_id=housing.id,
            login="ivan",
            password=PASSWORD,
            telegram_id=1001,
        )
        oleg = await create_user(
            s,
            actor,
            full_name="Олег Сидоров",
            department_id=schools.id,
            login="oleg",
            password=PASSWORD,
            telegram_id=1002,
        )
        await s.commit()
        return World(housing.id, schools.id, control, ivan, oleg)


async def new_assignment(
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
    title: str = "Убрать снег у школы",
    *,
    executor_id: int | None = None,
    days: int = 2,
) -> int:
    """Created by the controller through the service; to Иван unless another executor is named."""
    async with session_factory() as s:
        control = await s.get(User, world.control.id)
        assert control is not None
        a = await commands.create(
            s,
            control,
            commands.NewAssignment(
                title=title,
                deadline=datetime.now(UTC) + timedelta(days=days),
                executor_id=executor_id or world.ivan.id,
            ),
        )
        await s.commit()
        return a.id


async def attach_pdf(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    assignment_id: int,
    content: bytes,
    filename: str,
) -> int:
    """A document stored on the assignment, as the author's attachment."""
    async with session_factory() as s:
        doc = await store_file(
            s, settings.files_dir, content, filename=filename, origin=FileOrigin(assignment_id=assignment_id)
        )
        await s.commit()
        return doc.id


async def submit_report(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    executor_id: int,
    assignment_id: int,
    text: str,
    *,
    photo: bool = False,
) -> int:
    """What the executor does in Telegram: a draft, its text (and a photo), then submit."""
    async with session_factory() as s:
        executor = await s.get(User, executor_id)
        assert executor is not None
        for action in (Action.ACKNOWLEDGE, Action.START):
            current = await s.scalar(select(Assignment.status).where(Assignment.id == assignment_id))
            if current in ("new", "acknowledged"):
                await commands.transition(s, executor, assignment_id, action)
        draft = await reports.open_draft(s, executor, assignment_id)
        await reports.set_text(s, executor, draft.id, text)
        if photo:
            await reports.add_file(
                s, executor, draft.id, settings.files_dir, tiny_png(), filename="отчёт.png"
            )
        await reports.submit(s, executor, draft.id)
        await s.commit()
        return draft.id


async def client_for(app_factory: AppFactory, login_name: str) -> TestClient:
    client = TestClient(TestServer(app_factory(), host="127.0.0.1"))
    await client.start_server()
    await login(client, login_name, PASSWORD)
    return client


async def page_text(client: TestClient, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, path
    return await response.text()


def local_input(moment: datetime) -> str:
    return moment.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M")


async def test_other_department_executor_sees_neither_page_nor_files(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    aid = await new_assignment(session_factory, world)
    doc_id = await attach_pdf(session_factory, settings, aid, b"%PDF-1.4\n%test\n", "План уборки.pdf")
    report_id = await submit_report(session_factory, settings, world.ivan.id, aid, "Убрано", photo=True)
    async with session_factory() as s:
        photo_id = await s.scalar(select(StoredFile.id).where(StoredFile.report_id == report_id))

    oleg = await client_for(app_factory, "oleg")
    try:
        assert (await oleg.get(f"/assignments/{aid}")).status == 404
        for file_id in (doc_id, photo_id):
            response = await oleg.get(f"/files/{file_id}")
            assert response.status == 404
            assert "Страница не найдена" in await response.text()
        assert f'data-id="{aid}"' not in await page_text(oleg, "/assignments?status=all")
        token = await csrf_token(oleg, "/assignments")
        response = await oleg.post(
            f"/assignments/{aid}/comments", data={"text": "Я тут", "csrf_token": token}, allow_redirects=False
        )
        assert response.status == 404
    finally:
        await oleg.close()

    ivan = await client_for(app_factory, "ivan")
    try:
        page = await page_text(ivan, f"/assignments/{aid}")
        assert "Убрать снег у школы" in page and "План уборки.pdf" in page
        assert f'<img class="thumb" src="/files/{photo_id}"' in page
        response = await ivan.get(f"/files/{doc_id}")
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=\"____ ______.pdf\"; filename*=UTF-8''" + quote("План уборки.pdf", safe="")
        )
        assert await response.read() == b"%PDF-1.4\n%test\n"
        response = await ivan.get(f"/files/{photo_id}")
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Content-Disposition"].startswith("inline; ")
        assert f'data-id="{aid}"' in await page_text(ivan, "/assignments")
    finally:
        await ivan.close()


async def test_forged_and_stale_actions_are_refused_with_a_message(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    aid = await new_assignment(session_factory, world)
    control = await client_for(app_factory, "control")
    try:
        page = await page_text(control, f"/assignments/{aid}")
        assert 'id="action-cancel"' in page and 'id="action-accept"' not in page  # nothing to accept yet
        token = await csrf_token(control, f"/assignments/{aid}")
        url = f"/assignments/{aid}/act"
        forged = {"action": "accept", "expected_status": "new", "csrf_token": token}
        response = await control.post(url, data=forged, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == f"/assignments/{aid}"
        page = await page_text(control, f"/assignments/{aid}")
        assert "В текущем состоянии поручения это действие невозможно." in page

        stale = {"action": "cancel", "expected_status": "on_review", "reason": "Дубль", "csrf_token": token}
        page = await (await control.post(url, data=stale)).text()
        assert "Поручение уже изменилось — вот его текущее состояние." in page

        for data in ({"action": "submit"}, {"action": "drop table"}):
            page = await (await control.post(url, data={**data, "csrf_token": token})).text()
            assert "Это действие здесь недоступно." in page

        no_reason = {"action": "cancel", "expected_status": "new", "csrf_token": token}
        assert "Укажите причину." in await (await control.post(url, data=no_reason)).text()
        assert (await control.post(url, data={"action": "cancel"})).status == 403  # no CSRF token
    finally:
        await control.close()

    ivan = await client_for(app_factory, "ivan")
    try:
        page = await page_text(ivan, f"/assignments/{aid}")
        assert 'id="action-acknowledge"' in page and 'id="action-cancel"' not in page
        token = await csrf_token(ivan, f"/assignments/{aid}")
        data = {"action": "cancel", "expected_status": "new", "reason": "Не хочу", "csrf_token": token}
        page = await (await ivan.post(f"/assignments/{aid}/act", data=data)).text()
        assert "У вас нет права на это действие с этим поручением." in page
        data = {"action": "acknowledge", "expected_status": "new", "csrf_token": token}
        page = await (await ivan.post(f"/assignments/{aid}/act", data=data)).text()
        assert "Поручение принято к исполнению." in page
    finally:
        await ivan.close()

    async with session_factory() as s:
        assignment = await s.get(Assignment, aid)
        assert assignment is not None and assignment.status == AssignmentStatus.ACKNOWLEDGED
        actions = (
            await s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == aid)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert actions == ["created", "acknowledge"]


async def _walk(client: TestClient, start: str, link: re.Pattern[str]) -> tuple[list[list[int]], str]:
    """Follow "Next" (or "Back") links from ``start``: the ids of each page, and the last page."""
    pages: list[list[int]] = []
    url: str | None = start
    html = ""
    while url is not None:
        html = await page_text(client, url.replace("&amp;", "&"))
        pages.append([int(i) for i in ROW_RE.findall(html)])
        found = link.search(html)
        url = found.group(1) if found else None
        assert len(pages) < 20
    return pages, html


async def test_keyset_pagination_returns_every_row_exactly_once(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    base = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    statuses = ["new", "acknowledged", "in_progress", "on_review", "returned", "done", "cancelled"]
    async with session_factory() as s:
        for i in range(61):
            s.add(
                Assignment(
                    title=f"Поручение {i}",
                    status=statuses[i % len(statuses)],
                    author_id=world.control.id,
                    controller_id=world.control.id,
                    executor_id=world.oleg.id if i % 4 == 0 else world.ivan.id,
                    department_id=world.schools_id if i % 4 == 0 else world.housing_id,
                    deadline=base + timedelta(hours=i // 3),  # three rows share each deadline
                )
            )
        await s.commit()
        rows = (await s.execute(select(Assignment.id, Assignment.deadline, Assignment.executor_id))).all()
    in_order = [r.id for r in sorted(rows, key=lambda r: (r.deadline, r.id))]
    executors = {r.id: r.executor_id for r in rows}

    control = await client_for(app_factory, "control")
    try:
        pages, last = await _walk(control, "/assignments?status=all", NEXT_RE)
        assert [len(p) for p in pages] == [25, 25, 11]
        assert [i for p in pages for i in p] == in_order
        assert 'id="page-prev"' not in await page_text(control, "/assignments?status=all")
        back = PREV_RE.search(last)
        assert back is not None
        backwards, first = await _walk(control, back.group(1), PREV_RE)
        assert backwards == pages[-2::-1]  # page 2, then page 1
        assert NEXT_RE.search(first)

        oleg_rows = [i for i in in_order if executors[i] == world.oleg.id]
        pages, _ = await _walk(control, f"/assignments?status=all&executor={world.oleg.id}", NEXT_RE)
        assert [i for p in pages for i in p] == oleg_rows
    finally:
        await control.close()

    oleg = await client_for(app_factory, "oleg")
    try:
        pages, _ = await _walk(oleg, "/assignments?status=all", NEXT_RE)
        assert [i for p in pages for i in p] == oleg_rows  # sees only his own
        pages, _ = await _walk(oleg, "/assignments", NEXT_RE)  # open ones only (the default)
        assert pages[0] and all(executors[i] == world.oleg.id for p in pages for i in p)
    finally:
        await oleg.close()


async def test_create_keeps_good_files_and_queues_the_executor_card(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    control = await client_for(app_factory, "control")
    deadline = datetime.now(UTC) + timedelta(days=3)
    try:
        token = await csrf_token(control, "/assignments/new")
        form = FormData(quote_fields=False)  # raw UTF-8 names, as browsers send them
        for name, value in (
            ("csrf_token", token),
            ("title", ""),
            ("text", "Вывезти снег со двора школы №5"),
            ("executor_id", str(world.ivan.id)),
            ("deadline", local_input(deadline)),
            ("priority", "high"),
        ):
            form.add_field(name, value)
        form.add_field("attachments", tiny_png(), filename="двор.png", content_type="image/png")
        form.add_field("attachments", b"MZ\x90\x00not really", filename="virus.exe")
        response = await control.post("/assignments/new", data=form)
        assert response.status == 200
        page = await response.text()
        assert 'id="e-title">Обязательное поле.' in page
        assert "virus.exe: Такой тип файла не принимается." in page
        assert "Вывезти снег со двора школы №5" in page  # the rest of the form is kept
        kept = re.findall(r'name="file_ids" value="(\d+)" checked> двор.png', page)
        assert len(kept) == 1

        form = FormData(quote_fields=False)  # raw UTF-8 names, as browsers send them
        for name, value in (
            ("csrf_token", token),
            ("title", "Вывезти снег"),
            ("text", "Вывезти снег со двора школы №5"),
            ("executor_id", str(world.ivan.id)),
            ("deadline", local_input(deadline)),
            ("priority", "high"),
            ("file_ids", kept[0]),
        ):
            form.add_field(name, value)
        response = await control.post("/assignments/new", data=form, allow_redirects=False)
        assert response.status == 303, await response.text()
        aid = int(response.headers["Location"].rsplit("/", 1)[1])
        page = await page_text(control, f"/assignments/{aid}")
        assert "Поручение №" in page and "создано" in page and "двор.png" in page
    finally:
        await control.close()

    async with session_factory() as s:
        assignment = await s.get(Assignment, aid)
        assert assignment is not None
        assert assignment.controller_id == world.control.id and assignment.priority == "high"
        assert assignment.deadline == deadline.replace(second=0, microsecond=0)
        files = (await s.scalars(select(StoredFile).where(StoredFile.assignment_id == aid))).all()
        assert [f.original_name for f in files] == ["двор.png"]
        assert files[0].sha256 == hashlib.sha256(tiny_png()).hexdigest() and files[0].mime_type == "image/png"
        outbox = (await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 1001))).all()
    assert len(outbox) == 1
    assert outbox[0].dedup_key and outbox[0].dedup_key.startswith(f"asg:{aid}:")
    assert "Вывезти снег" in outbox[0].payload["text"]
    buttons = [
        b["callback_data"] for row in outbox[0].payload["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert f"asg:ack:{aid}" in buttons
