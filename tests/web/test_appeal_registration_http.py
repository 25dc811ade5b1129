"""59-FZ art. 8 in the panel over HTTP: the administrator's channel settings decide the regime and
manual registration of the next appeal (shown on its card, in the list, its filter and the export);
the clerk registers it; the card shows the registration and redirection terms and their late flags."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, User, utcnow
from porucheno.settings import Settings
from services.appeals import redirect, regime
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.letters.issue import LetterEnv
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
CHANNELS = ("telegram", "email", "web", "open311", "paper", "phone", "epgu")
SYS = Actor.system("test")


async def _register(
    session_factory: async_sessionmaker[AsyncSession],
    files_dir: Path,
    channel: str,
    now: datetime | None = None,
    **kw: object,
) -> int:
    async with session_factory() as s:
        result = await register_appeal(
            s,
            AppealInput(
                channel=channel,
                text="Во дворе дома 3 не горят фонари",
                contact=ContactInput(name="Галина Орлова", email="galina@example.org"),
                **kw,  # type: ignore[arg-type]
            ),
            actor=SYS,
            files_dir=files_dir,
            now=now,
        )
        await s.commit()
        return result.appeal.id


async def _page(client: TestClient, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, path
    return await response.text()


async def test_channel_settings_decide_the_regime_of_the_next_appeal(
    client: TestClient, admin: User, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    html = await _page(client, "/settings/channels")
    assert 'id="choose-telegram"' in html and 'id="choose-email"' in html and 'id="choose-web"' not in html
    assert 'id="tab-channels"' in await _page(client, "/settings/organisation")
    form = {f"regime_{c}": "appeal" for c in CHANNELS} | {"regime_web": "message", "manual_web": "1"}
    response = await client.post(
        "/settings/channels", data=form | {"csrf_token": csrf_of(html)}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    html = await _page(client, "/settings/channels")
    assert "Режимы каналов сохранены." in html and 'id="choose-telegram"' not in html
    assert re.search(r'name="regime_web".*?<option value="message" selected', html, re.S)
    # A hand-made value is refused, nothing changes.
    response = await client.post(
        "/settings/channels", data=form | {"regime_web": "other", "csrf_token": csrf_of(html)}
    )
    assert "Выберите значение из списка." in await response.text()

    appeal_id = await _register(session_factory, settings.files_dir, "web")
    card = await _page(client, f"/appeals/{appeal_id}")
    assert 'data-regime="message"' in card and "Сообщение (упрощённый порядок)" in card
    assert "Ожидает регистрации" in card and 'id="registration-due"' in card
    assert 'id="registered-at"' not in card and 'id="redirect"' not in card
    response = await client.post(
        f"/appeals/{appeal_id}/register", data={"csrf_token": csrf_of(card)}, allow_redirects=False
    )
    assert response.status == 303
    card = await _page(client, f"/appeals/{appeal_id}")
    assert "Обращение зарегистрировано." in card and 'id="registered-at"' in card
    assert 'id="redirect-due"' in card and 'id="action-register"' not in card

    listing = await _page(client, "/appeals?regime=message")
    assert f'<tr data-id="{appeal_id}"' in listing and 'data-regime="message"' in listing
    assert "Режим: Сообщение (упрощённый порядок)" in listing  # the chip
    assert '<tr data-id="' not in await _page(client, "/appeals?regime=appeal")
    export = await (await client.get("/appeals/export.csv?regime=message")).text()
    assert "Режим" in export.splitlines()[0] and "Сообщение (упрощённый порядок)" in export
    kpi = await _page(client, "/analytics")
    assert 'id="appeal-regimes"' in kpi and 'data-regime="message"' in kpi


async def test_card_shows_late_registration_overdue_and_the_redirect_term(
    client: TestClient, admin: User, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    now = utcnow()
    # A paper letter stamped 14 days ago, typed in 9 days ago: registered 2 days late; its 7-day
    # redirection term ended two days ago.
    paper = await _register(
        session_factory,
        settings.files_dir,
        "paper",
        received_at=now - timedelta(days=14),
        now=now - timedelta(days=9),
    )
    card = await _page(client, f"/appeals/{paper}")
    assert re.search(r'id="registration-late".*?с опозданием на 2 дн\.', card, re.S)
    assert re.search(r'id="redirect-due" class="overdue".*?7-дневный срок истёк', card, re.S)

    async with session_factory() as s:
        clerk = await s.get(User, admin.id)
        assert clerk is not None
        env = LetterEnv(files_dir=settings.files_dir, tz=settings.tz)
        appeal = await s.get(Appeal, paper)
        assert appeal is not None
        drafts = await redirect.drafts(s, appeal, env)
        await redirect.redirect_appeal(
            s,
            paper,
            redirect.RedirectInput("Управление Роспотребнадзора", drafts.cover_text, drafts.notice_text),
            actor=clerk,
            env=env,
            notify=None,
        )
        await s.commit()
    card = await _page(client, f"/appeals/{paper}")
    assert re.search(r'id="redirected".*?Управление Роспотребнадзора', card, re.S)
    assert re.search(r'id="redirect-late".*?с опозданием на 2 дн\.', card, re.S)
    assert 'id="redirect-due"' not in card and "Направлено по компетенции" in card

    # A phone channel registered by a clerk: one left waiting 5 days is overdue everywhere.
    async with session_factory() as s:
        await regime.update(s, Actor(user_id=admin.id), "phone", regime="appeal", manual_registration=True)
        await s.commit()
    waiting = await _register(
        session_factory, settings.files_dir, "phone", received_at=now - timedelta(days=5)
    )
    card = await _page(client, f"/appeals/{waiting}")
    assert 'id="registration-overdue"' in card
    listing = await _page(client, "/appeals?registration=overdue")
    assert re.findall(r'<tr data-id="(\d+)"', listing) == [str(waiting)]
    assert 'id="registration-overdue-total"' in await _page(client, "/appeals")
    home = await _page(client, "/")
    assert re.search(r'id="appeals-registration-overdue">\s*<a class="num" href="[^"]+">1<', home)
