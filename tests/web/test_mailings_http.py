"""Mailings in the panel over HTTP: who may open them, composing with a photo and buttons (bad
addresses and a long caption come back as form errors), the preview and the recipient count, a
test to oneself, scheduling in the configured zone and cancelling, sending after a confirmation,
the progress JSON, and the CRM card's block."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Mailing, OutboxMessage, utcnow
from models.enums import MailingConsentStatus, MailingStatus
from porucheno.settings import Settings
from services.files import FileOrigin, store_file
from services.outbox import mark_blocked, mark_sent
from tests.mailings_support import (
    MANAGER_LOGIN,
    MANAGER_PASSWORD,
    get_mailing,
    make_manager,
    make_person,
    make_segment,
    next_telegram_id,
)
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user
from tests.web.test_assignments_http import tiny_png

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


def _form(token: str, **fields: str) -> FormData:
    form = FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("csrf_token", token)
    return form


async def _new(client: TestClient, segment_id: int, *, photo: bool = True, **fields: str) -> tuple[int, str]:
    token = csrf_of(await (await client.get("/mailings/new")).text())
    values = {
        "title": "Ночь музеев",
        "segment_id": str(segment_id),
        "body": "<b>Ночь музеев</b> — 18 мая",
        "button_text_1": "Программа",
        "button_url_1": "https://museum.example.ru/night",
        **fields,
    }
    form = _form(token, **values)
    if photo:
        form.add_field("file", tiny_png(), filename="афиша.png", content_type="image/png")
    response = await client.post("/mailings/new", data=form, allow_redirects=False)
    if response.status != 303:
        return 0, await response.text()
    location = response.headers["Location"]
    return int(re.search(r"/mailings/(\d+)", location).group(1)), await (await client.get(location)).text()  # type: ignore[union-attr]


async def _post(client: TestClient, path: str, page: str, **fields: str) -> str:
    response = await client.post(path, data={"csrf_token": csrf_of(page), **fields})
    return await response.text()


async def test_only_managers_and_clerks(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(session_factory, "ispolnitel", "correct-horse-battery-x", ["executor"])
    await login(client, "ispolnitel", "correct-horse-battery-x")
    for path in ("/mailings", "/mailings/new", "/mailings/1", "/mailings/1/progress.json"):
        response = await client.get(path, allow_redirects=False)
        assert response.status in (403, 404) and response.status != 200, path
    client.session.cookie_jar.clear()
    await make_manager(session_factory)
    await login(client, MANAGER_LOGIN, MANAGER_PASSWORD)
    html = await (await client.get("/mailings")).text()
    assert "Рассылок пока нет." in html


async def test_compose_preview_test_schedule_cancel(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    own_chat = next_telegram_id()
    await make_manager(session_factory, telegram_id=own_chat)
    await login(client, MANAGER_LOGIN, MANAGER_PASSWORD)
    segment = await make_segment(session_factory, consent="any")  # with or without a consent
    for n in range(2):
        await make_person(session_factory, f"Житель {n}", telegram_id=next_telegram_id())
    await make_person(
        session_factory,
        "Ждёт подтверждения",
        telegram_id=next_telegram_id(),
        consent=MailingConsentStatus.PENDING,
    )
    await make_person(session_factory, "Без Телеграма")

    # Refusals come back on the form with what was typed.
    _, html = await _new(client, segment, button_url_1="javascript:alert(1)")
    assert "«javascript:alert(1)» — не веб-адрес (http:// или https://)." in html
    assert 'value="Программа"' in html
    _, html = await _new(client, segment, body="я" * 1100)
    assert "Подпись под фото или документом — не длиннее 1024 символов, а здесь 1100." in html
    _, html = await _new(client, segment, body="<script>x</script>")
    assert "Тег &lt;script&gt; Телеграм не поддерживает." in html

    mailing_id, page = await _new(client, segment, title="<i>Ночь</i> музеев")
    assert "Рассылка сохранена." in page
    assert "&lt;i&gt;Ночь&lt;/i&gt; музеев" in page  # a title is text, never markup
    preview = page.split('id="mailing-preview"')[1].split("</section>")[0]
    assert "<b>Ночь музеев</b> — 18 мая" in preview and "афиша.png" in preview
    assert "Программа" in preview and "Отписаться" in preview
    assert "Сегмент «Друзья музея»: рассылку получат 2 чел." in page
    assert "нет подтверждённого согласия на рассылки: 1" in page and "не писали боту: 1" in page

    page = await _post(client, f"/mailings/{mailing_id}/test", page)
    assert "Проверочное сообщение отправлено вам в Телеграм." in page
    async with session_factory() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
        assert {r.chat_id for r in rows} == {own_chat}
        assert [r.method for r in rows] == ["sendMessage", "sendPhoto"]

    local = (
        (utcnow() + timedelta(days=2))
        .astimezone(settings.tz)
        .replace(hour=12, minute=0, second=0, microsecond=0)
    )
    page = await _post(client, f"/mailings/{mailing_id}/schedule", page, scheduled_at="вчера")
    assert "Укажите дату и время." in page
    page = await _post(
        client, f"/mailings/{mailing_id}/schedule", page, scheduled_at=local.strftime("%Y-%m-%dT%H:%M")
    )
    assert "Рассылка запланирована." in page and "12:00" in page
    mailing = await get_mailing(session_factory, mailing_id)
    assert mailing.status == MailingStatus.SCHEDULED and mailing.scheduled_at == local
    listing = await (await client.get("/mailings")).text()
    assert "Запланировано" in listing and "Друзья музея" in listing

    page = await _post(client, f"/mailings/{mailing_id}/cancel", page)
    assert "Рассылка отменена." in page and "Отменено" in page
    assert 'id="mailing-send"' not in page
    # A cancelled mailing cannot be sent by a crafted POST either.
    page = await _post(client, f"/mailings/{mailing_id}/send", page)
    assert "Эта рассылка уже запущена." in page
    assert (await get_mailing(session_factory, mailing_id)).status == MailingStatus.CANCELLED


async def test_send_progress_and_the_crm_card(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_manager(session_factory)
    await login(client, MANAGER_LOGIN, MANAGER_PASSWORD)
    segment = await make_segment(session_factory)
    people = [
        await make_person(session_factory, f"Житель {n}", telegram_id=next_telegram_id()) for n in range(3)
    ]
    mailing_id, page = await _new(client, segment, photo=False)
    confirm = await (await client.get(f"/mailings/{mailing_id}/send")).text()
    assert "Отправить «Ночь музеев» сейчас?" in confirm and "рассылку получат 3 чел." in confirm
    page = await _post(client, f"/mailings/{mailing_id}/send", confirm)
    assert "Рассылка отправляется." in page and 'data-count="queued">3<' in page
    assert "mailings.js" in page and 'http-equiv="refresh"' in page  # live, and reloads without JS

    progress = await (await client.get(f"/mailings/{mailing_id}/progress.json")).json()
    assert (
        progress["queued"] == 3
        and progress["status"] == "sending"
        and progress["status_label"] == "Отправляется"
    )
    async with session_factory() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        await mark_sent(session, rows[0].id, 1)
        await mark_sent(session, rows[1].id, 2)
        await mark_blocked(session, rows[2].chat_id, "Forbidden: bot was blocked by the user")
        await session.commit()
    progress = await (await client.get(f"/mailings/{mailing_id}/progress.json")).json()
    assert (progress["queued"], progress["delivered"], progress["blocked"], progress["status"]) == (
        0,
        2,
        1,
        "sent",
    )
    page = await (await client.get(f"/mailings/{mailing_id}")).text()
    assert "Отправлено" in page and "mailings.js" not in page

    card = await (await client.get(f"/correspondents/{people[0].correspondent_id}")).text()
    block = card.split('id="mailings-card"')[1].split("</section>")[0]
    assert "Ночь музеев" in block and "доставлено" in block
    async with session_factory() as session:
        assert (await session.get(Mailing, mailing_id)).recipients_total == 3  # type: ignore[union-attr]


async def test_a_file_is_kept_across_errors_but_never_someone_elses(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await make_manager(session_factory)
    await login(client, MANAGER_LOGIN, MANAGER_PASSWORD)
    segment = await make_segment(session_factory)
    _, html = await _new(client, segment, button_url_1="ftp://museum.example.ru")
    kept = re.search(r'name="upload_id" value="(\d+)"', html)
    assert kept and "афиша.png" in html
    token = csrf_of(html)
    fields = {"title": "Лекторий", "segment_id": str(segment), "body": "Лекция", "upload_id": kept.group(1)}
    response = await client.post("/mailings/new", data=_form(token, **fields))
    assert "Рассылка сохранена." in await response.text()
    async with session_factory() as session:
        mine = (await session.scalars(select(Mailing).order_by(Mailing.id.desc()))).first()
        assert mine is not None and mine.file_id == int(kept.group(1)) and mine.file_kind == "photo"
        other = await make_user(session_factory, "drugoy", "correct-horse-battery-y", ["manager"])
        foreign = await store_file(
            session,
            settings.files_dir,
            tiny_png(),
            filename="чужое.png",
            origin=FileOrigin(uploaded_by_user_id=other.id),
        )
        await session.commit()
    fields = {**fields, "title": "Чужой файл", "upload_id": str(foreign.id)}
    token = csrf_of(await (await client.get("/mailings/new")).text())
    html = await (await client.post("/mailings/new", data=_form(token, **fields))).text()
    assert "Рассылка сохранена." in html and "чужое.png" not in html
    async with session_factory() as session:
        latest = (await session.scalars(select(Mailing).order_by(Mailing.id.desc()))).first()
        assert latest is not None and latest.title == "Чужой файл" and latest.file_id is None


async def test_a_mailing_to_subscribers_adds_up_to_the_segments_size(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A segment of confirmed subscribers (the default): its page's count is the mailing's recipients
    plus the members left out, and nobody is «left out» for want of a consent they are not in for."""
    await make_manager(session_factory, telegram_id=next_telegram_id())
    await login(client, MANAGER_LOGIN, MANAGER_PASSWORD)
    segment = await make_segment(session_factory, "Подписчики новостей")
    await make_person(session_factory, "Подписчик", telegram_id=next_telegram_id())
    await make_person(session_factory, "Подписчица без бота")
    for n in range(3):
        await make_person(session_factory, f"Без согласия {n}", telegram_id=next_telegram_id(), consent=None)
    await make_person(
        session_factory, "Ждёт", telegram_id=next_telegram_id(), consent=MailingConsentStatus.PENDING
    )
    segment_page = await (await client.get(f"/segments/{segment}")).text()
    assert 'data-count="2"' in segment_page and "2 человека" in segment_page
    _id, page = await _new(client, segment, photo=False)
    assert "Сегмент «Подписчики новостей»: рассылку получат 1 чел." in page
    assert "Не вошли: 1." in page and "не писали боту: 1" in page
    assert "нет подтверждённого согласия" not in page
