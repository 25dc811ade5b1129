"""Refusing an extension in the panel needs a reason (issue #12, item 5), and the executor reads it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ExtensionRequest, OutboxMessage, User
from porucheno.settings import Settings
from services.assignments import commands, extensions
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_token
from tests.web.test_assignments_http import client_for, make_world, new_assignment, page_text

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_refusal_needs_a_reason_the_executor_reads(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    aid = await new_assignment(session_factory, world)
    async with session_factory() as s:
        ivan = await s.get(User, world.ivan.id)
        assert ivan is not None
        a = await commands.load(s, aid)
        request = await extensions.request_extension(
            s, ivan, aid, a.deadline + timedelta(days=3), "Нет техники"
        )
        await s.commit()
        request_id = request.id

    control = await client_for(app_factory, "control")
    try:
        page = await page_text(control, f"/assignments/{aid}")
        assert 'id="f-extension-reason"' in page
        url = f"/assignments/{aid}/extensions/{request_id}"
        token = await csrf_token(control, f"/assignments/{aid}")
        response = await control.post(url, data={"decision": "reject", "reason": " ", "csrf_token": token})
        assert "Укажите причину" in await response.text()
        async with session_factory() as s:
            assert (await s.get(ExtensionRequest, request_id)).status == "pending"  # type: ignore[union-attr]

        token = await csrf_token(control, f"/assignments/{aid}")
        data = {"decision": "reject", "reason": "Техника будет в среду", "csrf_token": token}
        response = await control.post(url, data=data)
        assert "Причина: Техника будет в среду" in await response.text()
    finally:
        await control.close()
    async with session_factory() as s:
        assert (await s.get(ExtensionRequest, request_id)).status == "rejected"  # type: ignore[union-attr]
        texts = [m.payload.get("text") or "" for m in (await s.scalars(select(OutboxMessage))).all()]
    assert any("В продлении срока отказано" in t and "Причина: Техника будет в среду" in t for t in texts)
