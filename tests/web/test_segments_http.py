"""Segments in the panel over HTTP: the builder's live count against the hand-made audience, saving,
archiving, the export, the CRM card's consent block; and the e-mailed consent links (GET never acts)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, Correspondent, MailingConsent, MailOutbox, Segment
from porucheno.i18n import gettext
from services.audit import Actor
from services.mailings import consent
from services.notify import NoticeContext
from tests.services.segments_dataset import build
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "correct-horse-battery"
CTX = NoticeContext(panel_url="https://panel.example.org")


async def _as(client: TestClient, who: str) -> None:
    client.session.cookie_jar.clear()
    await login(client, who, PASSWORD)


async def test_live_count_save_archive_and_export(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        d = await build(s)
    await make_user(session_factory, "clerk", PASSWORD, ["clerk"])
    await make_user(session_factory, "worker", PASSWORD, ["executor"])

    await _as(client, "worker")
    assert (await client.get("/segments/count", allow_redirects=False)).status == 403

    await _as(client, "clerk")
    # The builder asks for the count as filters change (the live count). The data set's people are
    # seen long ago (its NOW is a fixed date), so the activity filter is left out here.
    response = await client.get("/segments/count", params={"tags_any": "дети", "consent": "any"})
    body = await response.json()
    assert body["count"] == 5
    assert {m["name"] for m in body["members"]} == {
        "Аверина Анна",
        "Белов Борис",
        "Григорьев Глеб",
        "Жукова Жанна",
        "Петрова Полина",
    }
    anna = next(m for m in body["members"] if m["name"] == "Аверина Анна")
    assert anna["email"] == "anna@example.org" and anna["telegram"] is True
    params = [("topics", str(d.categories["roads"])), ("channel", "telegram"), ("consent", "confirmed")]
    body = await (await client.get("/segments/count", params=params)).json()
    assert [m["name"] for m in body["members"]] == ["Орлов Олег"]  # Григорьев blocked the bot
    bad = await client.get("/segments/count", params={"activity": "active", "activity_days": "-3"})
    assert bad.status == 400 and "activity" in (await bad.json())["error"]

    page = await client.get("/segments/new")
    html = await page.text()
    assert 'id="segment-form"' in html and "segments.js" in html
    assert "Университет детей" in html  # the programmes offered
    token = csrf_of(html)
    form = [
        ("csrf_token", token),
        ("name", "Родители Университета детей"),
        ("tags_any", "дети, родители"),
        ("programmes", "Университет детей"),
        ("channel", "any"),
        ("consent", "any"),
    ]
    saved = await client.post("/segments/new", data=form, allow_redirects=False)
    assert saved.status == 303, await saved.text()
    async with session_factory() as s:
        segment = (await s.scalars(select(Segment))).one()
        assert segment.filters == {
            "tags": {"any": ["дети", "родители"]},
            "programmes": ["Университет детей"],
            "consent": "any",
        }
    edit = await (await client.get(saved.headers["Location"])).text()
    # Programme «Университет детей» ∩ (дети or родители): Аверина, Белов, Жукова, Егоров.
    assert 'data-count="4"' in edit
    for name in ("Аверина Анна", "Белов Борис", "Егоров Егор", "Жукова Жанна"):
        assert name in edit
    listing = await (await client.get("/segments")).text()
    assert "Родители Университета детей" in listing and 'data-count="4"' in listing

    # A malformed filter comes back as a form error, nothing saved.
    broken = await client.post(
        saved.headers["Location"], data=[("csrf_token", token), ("name", "x"), ("forms", "abc")]
    )
    assert broken.status == 400 and "forms" in await broken.text()

    export = await client.get(f"/segments/{segment.id}/export.csv")
    text = (await export.read()).decode("utf-8-sig")
    assert export.status == 200 and "Аверина Анна;7001;anna@example.org" in text
    assert len(text.strip().splitlines()) == 5  # header + four people
    xlsx = await client.get(f"/segments/{segment.id}/export.xlsx")
    assert xlsx.status == 200 and (await xlsx.read())[:2] == b"PK"

    archived = await client.post(
        f"/segments/{segment.id}/archive", data={"csrf_token": token}, allow_redirects=False
    )
    assert archived.status == 303
    after = await (await client.get("/segments")).text()
    assert "archived." in after or "в архив" in after  # the flash says so
    assert f'id="segment-{segment.id}"' not in after
    assert "Родители Университета детей" in await (await client.get("/segments?archived=1")).text()
    async with session_factory() as s:
        actions = list(
            (
                await s.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.entity_type == "segment")
                    .order_by(AuditEvent.id)
                )
            ).all()
        )
    assert actions == ["created", "archived"]


async def test_card_block_and_a_clerks_withdrawal(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        d = await build(s)
    await make_user(session_factory, "clerk2", PASSWORD, ["clerk"])
    await _as(client, "clerk2")
    card = f"/correspondents/{d.ids['Волкова Вера']}"
    html = await (await client.get(card)).text()
    assert 'id="mailing-consent" data-status="confirmed"' in html
    response = await client.post(
        f"/segments/consent/{d.ids['Волкова Вера']}/withdraw", data={"csrf_token": csrf_of(html)}
    )
    html = await response.text()
    assert 'data-status="withdrawn"' in html and 'id="mailing-consent-history"' in html
    async with session_factory() as s:
        event = (await s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "mailing_consent"))).one()
        assert event.action == "withdrawn" and event.data["channel"] == "panel" and event.data["ip"]

    # «Ask for consent» for someone never asked, with only an e-mail: a letter with the link goes.
    maksim = d.ids["Морозов Максим"]
    html = await (await client.get(f"/correspondents/{maksim}")).text()
    assert 'data-status="none"' in html and 'id="consent-withdraw"' not in html
    html = await (
        await client.post(f"/segments/consent/{maksim}/request", data={"csrf_token": csrf_of(html)})
    ).text()
    assert 'data-status="pending"' in html
    async with session_factory() as s:
        letter = (await s.scalars(select(MailOutbox))).one()
        assert letter.to_address == "max@example.org" and "/m/confirm/" in letter.body
    # A forged card id or action: not found; someone outside the audience roles: refused.
    token = csrf_of(html)
    assert (await client.post("/segments/consent/999999/withdraw", data={"csrf_token": token})).status == 404
    assert (await client.post(f"/segments/consent/{maksim}/erase", data={"csrf_token": token})).status in (
        404,
        405,
    )
    await make_user(session_factory, "worker2", PASSWORD, ["executor"])
    await _as(client, "worker2")
    own_token = csrf_of(await (await client.get("/")).text())
    refused = await client.post(
        f"/segments/consent/{maksim}/withdraw", data={"csrf_token": own_token}, allow_redirects=False
    )
    assert refused.status == 403
    assert (await _consent(session_factory, maksim)).status == "pending"


async def _ask_by_mail(factory: async_sessionmaker[AsyncSession], name: str) -> tuple[int, str]:
    """A web form's «send me news» for someone without Telegram: the letter's confirmation link."""
    async with factory() as s:
        card = Correspondent(name=name, name_search=name.casefold(), email="reader@example.org")
        s.add(card)
        await s.flush()
        await consent.request(
            s,
            correspondent_id=card.id,
            channel="web",
            actor=Actor(label="web-form"),
            ip="203.0.113.7",
            notify=CTX,
        )
        await s.commit()
        letter = (await s.scalars(select(MailOutbox).order_by(MailOutbox.id.desc()))).first()
        assert letter is not None and letter.to_address == "reader@example.org"
        match = re.search(r"https://panel\.example\.org(/m/confirm/[A-Za-z0-9_\-]+)", letter.body)
        assert match, letter.body
        return card.id, match.group(1)


async def _consent(factory: async_sessionmaker[AsyncSession], card_id: int) -> MailingConsent:
    async with factory() as s:
        row = await consent.status_of(s, card_id)
        assert row is not None
        return row


async def test_email_links_confirm_only_on_post_once(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client.session.cookie_jar.clear()
    card_id, path = await _ask_by_mail(session_factory, "Читатель Рассылки")
    page = await client.get(path)  # a mail scanner opening the link changes nothing
    html = await page.text()
    assert page.status == 200 and 'id="consent-confirm"' in html
    assert (await _consent(session_factory, card_id)).status == "pending"

    done = await client.post(path, data={"csrf_token": csrf_of(html)})
    assert (
        done.status == 200 and gettext("ru", "Thank you! The subscription is confirmed.") in await done.text()
    )
    row = await _consent(session_factory, card_id)
    assert row.status == "confirmed" and row.ip == "127.0.0.1"

    again = await client.post(path, data={"csrf_token": csrf_of(html)})  # the link works once
    assert again.status == 404 and 'id="consent-invalid"' in await again.text()
    assert (await client.get(path)).status == 404

    # The letter after confirming carries an opt-out link; GET asks, POST unsubscribes.
    async with session_factory() as s:
        letter = (await s.scalars(select(MailOutbox).order_by(MailOutbox.id.desc()))).first()
        assert letter is not None
    optout = re.search(r"(/m/optout/[A-Za-z0-9_\-]+)", letter.body)
    assert optout
    html = await (await client.get(optout.group(1))).text()
    assert 'id="consent-optout"' in html and (await _consent(session_factory, card_id)).status == "confirmed"
    gone = await client.post(optout.group(1), data={"csrf_token": csrf_of(html)})
    assert gone.status == 200 and (await _consent(session_factory, card_id)).status == "withdrawn"
    async with session_factory() as s:
        trail = (
            await s.scalars(
                select(AuditEvent).where(AuditEvent.entity_type == "mailing_consent").order_by(AuditEvent.id)
            )
        ).all()
    assert [(e.action, e.data["channel"]) for e in trail] == [
        ("requested", "web"),
        ("confirmed", "email"),
        ("withdrawn", "email"),
    ]
    assert trail[0].data["ip"] == "203.0.113.7"


async def test_an_expired_or_forged_link_is_refused(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client.session.cookie_jar.clear()
    card_id, path = await _ask_by_mail(session_factory, "Опоздавший Читатель")
    async with session_factory() as s:
        row = await consent.status_of(s, card_id)
        assert row is not None
        row.requested_at = row.requested_at - consent.TOKEN_TTL - timedelta(minutes=1)
        await s.commit()
    html = await (await client.get("/m/confirm/forged-token")).text()
    assert 'id="consent-invalid"' in html
    token = csrf_of(await (await client.get("/login")).text())
    expired = await client.post(path, data={"csrf_token": token})
    assert expired.status == 404 and 'id="consent-invalid"' in await expired.text()
    assert (await _consent(session_factory, card_id)).status == "pending"
