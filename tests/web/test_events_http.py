"""Events in the panel over HTTP: a clerk creates an event, people register (one waits), the clerk
cancels a registration (the waiting person gets the seat and is told), marks attendance one by one
and in bulk, downloads the list; the CRM card shows the person's events; others are kept out."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import EventRegistration, MuseumEvent, utcnow
from porucheno.settings import Settings
from services.audit import Actor
from services.events import registration
from tests.services.events_support import make_person, messages_to, ru
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "events-pass-123"


async def _post(client: TestClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = await csrf_token(client, "/events")
    return await client.post(path, data={**data, "csrf_token": token}, allow_redirects=False)


async def _register(factory: async_sessionmaker[AsyncSession], event_id: int, name: str, tg: int) -> int:
    card = await make_person(factory, name, tg)
    async with factory() as session:
        row = await registration.register(
            session, event_id=event_id, correspondent_id=card, actor=Actor(telegram_id=tg), telegram_id=tg
        )
        await session.commit()
        return row.id


async def test_clerk_runs_an_event(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await make_user(session_factory, "clerk", PASSWORD, ["clerk"], full_name="Соколова Ирина")
    await make_user(session_factory, "worker", PASSWORD, ["executor"])
    await login(client, "worker", PASSWORD)
    assert (await client.get("/events", allow_redirects=False)).status == 403
    client.session.cookie_jar.clear()
    await login(client, "clerk", PASSWORD)

    start = (
        (utcnow() + timedelta(days=5))
        .astimezone(settings.tz)
        .replace(hour=12, minute=0, second=0, microsecond=0)
    )
    form = {
        "title": "Лекция «Университет детей»: как устроен музей",
        "programme": "Университет детей",
        "place": "Лекторий",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "1",
        "remind_hours": "24",
        "registration_open": "1",
    }
    # Mistakes come back on the form, nothing is saved.
    bad = await _post(client, "/events/new", {**form, "capacity": "много", "starts_at": "завтра"})
    html = await bad.text()
    assert bad.status == 400 and ru("Enter a whole number.") in html and ru("Enter a date and time.") in html
    created = await _post(client, "/events/new", form)
    assert created.status == 303
    event_id = int(re.search(r"/events/(\d+)$", created.headers["Location"]).group(1))
    async with session_factory() as session:
        event = await session.get(MuseumEvent, event_id)
        assert event.starts_at == start.astimezone(event.starts_at.tzinfo) and event.capacity == 1

    first = await _register(session_factory, event_id, "Мария Ильина", 8101)
    waiting = await _register(session_factory, event_id, "Пётр Гусев", 8102)
    page = await (await client.get(f"/events/{event_id}")).text()
    assert "Мария Ильина" in page and "Пётр Гусев" in page and 'id="promote--' in page
    listing = await (await client.get("/events")).text()
    assert "Лекция «Университет детей»" in listing

    # Cancelling Maria's seat gives it to Pyotr, who is told in Telegram.
    done = await _post(client, f"/events/{event_id}/registrations/{first}/cancel", {})
    assert done.status == 303
    page = await (await client.get(f"/events/{event_id}")).text()
    assert ru("The registration is cancelled; the person is told.") in page
    freed = ru("🎉 A seat has freed up: you are now registered for «%(title)s».", title=form["title"])
    assert any(freed in text for text in await messages_to(session_factory, 8102))

    # The event is full again: the clerk gives a waiting person a seat over the capacity, and the
    # person is told it was given, not that one freed up.
    given = await _register(session_factory, event_id, "Анна Лосева", 8104)
    assert (await _post(client, f"/events/{event_id}/registrations/{given}/promote", {})).status == 303
    told = await messages_to(session_factory, 8104)
    title = form["title"]
    assert any(
        ru("🎉 You have been given a seat: you are now registered for «%(title)s».", title=title) in text
        for text in told
    )
    assert not any(freed in text for text in told)
    page = await (await client.get(f"/events/{event_id}")).text()
    assert "2 / 1" in page

    # A registration of another event through this event's URL is not found.
    other = await _post(client, "/events/new", {**form, "title": "Другое"})
    other_id = int(other.headers["Location"].rsplit("/", 1)[1])
    assert (
        await _post(client, f"/events/{other_id}/registrations/{waiting}/attendance", {"attended": "1"})
    ).status == 404

    # Attendance: one person by hand, the rest in bulk.
    third = await _register(session_factory, other_id, "Ольга Серова", 8103)
    await _post(client, f"/events/{event_id}/registrations/{waiting}/attendance", {"attended": "1"})
    await _post(client, f"/events/{other_id}/attendance", {"attended": "0"})
    async with session_factory() as session:
        assert (await session.get(EventRegistration, waiting)).attended is True
        assert (await session.get(EventRegistration, third)).attended is False
    page = await (await client.get(f"/events/{event_id}")).text()
    assert ru("came: %(came)s, did not come: %(missed)s", came=1, missed=0) in page

    # The list as XLSX.
    export = await client.get(f"/events/{event_id}/export.xlsx")
    assert export.status == 200
    sheet = load_workbook(io.BytesIO(await export.read())).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[1] for r in rows] == ["Мария Ильина", "Пётр Гусев", "Анна Лосева"]
    assert rows[1][8] == ru("came")

    # Someone who does not work with the audience can neither see nor mark.
    client.session.cookie_jar.clear()
    await login(client, "worker", PASSWORD)
    assert (await client.get(f"/events/{event_id}", allow_redirects=False)).status == 403
    denied = await _post(client, f"/events/{event_id}/registrations/{waiting}/attendance", {"attended": "0"})
    assert denied.status == 403
    client.session.cookie_jar.clear()
    await login(client, "clerk", PASSWORD)

    # The CRM card of the person shows the event and the attendance.
    async with session_factory() as session:
        card_id = (await session.get(EventRegistration, waiting)).correspondent_id
    card = await (await client.get(f"/correspondents/{card_id}")).text()
    assert 'id="events-card"' in card and "Лекция «Университет детей»" in card and ru("came") in card

    # Cancelling the event needs the tick, then tells everyone.
    assert (await _post(client, f"/events/{other_id}/cancel", {})).status == 303
    async with session_factory() as session:
        assert (await session.get(MuseumEvent, other_id)).cancelled_at is None
    await _post(client, f"/events/{other_id}/cancel", {"confirm": "1"})
    assert any("❌" in text for text in await messages_to(session_factory, 8103))
    async with session_factory() as session:
        rows = (await session.scalars(select(MuseumEvent).where(MuseumEvent.cancelled_at.is_not(None)))).all()
        assert [e.id for e in rows] == [other_id]
