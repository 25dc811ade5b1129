"""The public appeals counter: figures only, with CORS, cached for a few minutes, and the widget
page meant for an iframe (any site may frame it, unlike the panel)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ClassifierEntry
from porucheno.settings import Settings
from tests.services.sstu_scenario import build_november, msk, register
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

NOVEMBER = {
    "period": "2026-11",
    "year": 2026,
    "month": 11,
    "received": 4,
    "registered": 4,
    "in_work": 1,
    "answered": 1,
    "redirected": 1,
    "left_without_answer": 1,
    "extended": 1,
    "by_section": [{"code": "0003", "name": "Экономика", "questions": 5}],
    "unclassified_questions": 0,
}


async def make_month(session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    async with session_factory() as s:
        await build_november(s, settings.files_dir)
        s.add(ClassifierEntry(code="0003", name="Экономика", level=1))
        await s.commit()


async def test_counter_json_has_figures_only_with_cors_and_is_cached(
    client: TestClient, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_month(session_factory, settings)
    response = await client.get("/public/appeals/counter.json?year=2026&month=11")
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = await response.text()
    assert await response.json() == NOVEMBER
    for personal in ("Иванов", "ivanov@example.ru", "Мира", "Яма"):
        assert personal not in body

    # Another appeal arrives: the published figures stay as cached for a few minutes.
    async with session_factory() as s:
        await register(s, settings.files_dir, now=msk(28), text="Ещё одно обращение")
    again = await client.get("/public/appeals/counter.json?year=2026&month=11")
    assert (await again.json())["received"] == 4

    # The widget script asks for its words with the figures, in the host page's language.
    worded = await (await client.get("/public/appeals/counter.json?year=2026&month=11&lang=en")).json()
    assert worded["labels"]["title"] == "Appeals in 2026-11" and worded["labels"]["received"] == "Received"
    assert {k: v for k, v in worded.items() if k != "labels"} == NOVEMBER

    bad = await client.get("/public/appeals/counter.json?year=2026&month=13")
    assert bad.status == 400 and (await bad.json()) == {"error": "Выберите месяц."}
    future = await client.get("/public/appeals/counter.json?year=2099&month=1")
    assert future.status == 400 and (await future.json()) == {"error": "Этот месяц ещё не начался."}


async def test_widget_page_may_be_framed_and_shows_the_figures(
    client: TestClient, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_month(session_factory, settings)
    response = await client.get("/public/appeals/counter?year=2026&month=11")
    assert response.status == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers  # it would forbid what the CSP allows
    assert "Set-Cookie" not in response.headers  # cacheable: no session for the host site's visitors
    assert "<script" not in (html := await response.text())
    assert "Обращения за 2026-11" in html
    assert '<tr id="c-received"><th scope="row">Поступило</th><td>4</td></tr>' in html
    assert '<tr id="c-left_without_answer"><th scope="row">Оставлено без ответа</th><td>1</td></tr>' in html
    assert "0003 Экономика</th><td>5</td>" in html
    # The panel itself still refuses to be framed.
    panel = await client.get("/login")
    assert "frame-ancestors 'none'" in panel.headers["Content-Security-Policy"]
