"""The production calendar over HTTP: every staff member sees it, only an administrator changes it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, CalendarDay, User
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

SANITARY = {"day": "2026-03-31", "kind": "day_off", "note": "Санитарный день", "starts": "", "ends": ""}


async def test_staff_view_but_only_admins_edit(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(session_factory, "clerk", "clerk-password-123", ["clerk", "manager", "dispatcher"])
    await login(client, "clerk", "clerk-password-123")
    page = await client.get("/work-calendar?year=2026")
    html = await page.text()
    assert page.status == 200 and 'id="year-working-days">247<' in html
    assert 'href="/work-calendar"' in html  # in the menu
    assert 'id="day-form"' not in html and 'id="week-form"' not in html  # nothing to edit
    token = csrf_of(html)
    posts = {
        "/work-calendar/days/new": SANITARY,
        "/work-calendar/week": {"0_starts": "08:00", "0_ends": "17:00"},
    }
    for path, data in posts.items():
        response = await client.post(path, data=data | {"csrf_token": token}, allow_redirects=False)
        assert response.status == 403, path
    async with session_factory() as s:
        assert (await s.scalars(select(CalendarDay))).all() == []

    # The administrator adds the row; the clerk sees it but cannot delete or edit it.
    await client.post("/logout", data={"csrf_token": token})
    await login(client)
    admin_page = await (await client.get("/work-calendar?year=2026")).text()
    response = await client.post(
        "/work-calendar/days/new?year=2026",
        data=SANITARY | {"csrf_token": csrf_of(admin_page)},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/work-calendar?year=2026"
    # A duplicate date is refused on the page, next to the date.
    again = await client.post("/work-calendar/days/new", data=SANITARY | {"csrf_token": csrf_of(admin_page)})
    assert again.status == 400 and "Эта дата уже есть в календаре" in await again.text()
    async with session_factory() as s:
        row = await s.scalar(select(CalendarDay))
        assert row is not None
        row_id = row.id
    # Its edit page: a bad time is refused next to the field, then the day becomes a shortened one.
    edit = await (await client.get(f"/work-calendar/days/{row_id}")).text()
    assert 'value="Санитарный день"' in edit
    changed = SANITARY | {"kind": "short", "starts": "10:00", "ends": "9:00", "csrf_token": csrf_of(edit)}
    refused = await client.post(f"/work-calendar/days/{row_id}", data=changed)
    assert refused.status == 400 and 'id="e-ends"' in await refused.text()
    saved = await client.post(
        f"/work-calendar/days/{row_id}", data=changed | {"ends": "15:00"}, allow_redirects=False
    )
    assert saved.status == 303
    shown = await (await client.get("/work-calendar?year=2026")).text()
    assert 'id="year-working-days">247<' in shown and "10:00–15:00" in shown
    await client.post(
        f"/work-calendar/days/{row_id}", data=SANITARY | {"csrf_token": csrf_of(edit)}, allow_redirects=False
    )
    await client.post("/logout", data={"csrf_token": csrf_of(admin_page)})
    await login(client, "clerk", "clerk-password-123")
    html = await (await client.get("/work-calendar?year=2026")).text()
    assert 'id="year-working-days">246<' in html and "Санитарный день" in html
    token = csrf_of(html)
    for path in (f"/work-calendar/days/{row_id}/delete", f"/work-calendar/days/{row_id}"):
        response = await client.post(path, data=SANITARY | {"csrf_token": token}, allow_redirects=False)
        assert response.status == 403, path
    assert (await client.get(f"/work-calendar/days/{row_id}", allow_redirects=False)).status == 403
    async with session_factory() as s:
        assert (await s.scalar(select(CalendarDay))) is not None
        actions = (
            await s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "work_calendar")
                .order_by(AuditEvent.id)
            )
        ).all()
    assert actions == ["day_added", "day_changed", "day_changed"]
