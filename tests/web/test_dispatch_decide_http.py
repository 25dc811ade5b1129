"""An organisation's report waiting for approval is published or kept from the panel: dispatchers
only, once, never after the incident is closed; the residents hear of a published one."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import DispatchUpdate, Organisation, OutboxMessage, User
from models.enums import PublishMode, UpdatePublish
from services.incidents import journal, updates
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login
from tests.web.journal_support import PASSWORD, make_journal

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _pending_report(session_factory: async_sessionmaker[AsyncSession], text: str) -> tuple[int, int]:
    j = await make_journal(session_factory)
    async with session_factory() as s:
        dispatcher = await s.scalar(select(User).where(User.login == "dispatch"))
        member = await s.scalar(select(User).where(User.login == "vodokanal"))
        assert dispatcher is not None and member is not None
        org = await s.get(Organisation, j.org_id)
        assert org is not None and org.publish_mode == PublishMode.APPROVAL
        await journal.set_responsible(s, dispatcher, j.incident_id, j.org_id)
        update = await updates.post_report(
            s, member, updates.Target("incident", j.incident_id), updates.FieldReport(text)
        )
        await s.commit()
        return j.incident_id, update.id


async def _decide(client: TestClient, card: str, update_id: int, decision: str) -> tuple[int, str]:
    token = await csrf_token(client, card)
    response = await client.post(
        f"/dispatch-updates/{update_id}/decide",
        data={"decision": decision, "csrf_token": token},
        allow_redirects=False,
    )
    return response.status, response.headers.get("Location", "")


async def test_the_dispatcher_publishes_a_report_from_the_incident_page(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    incident_id, update_id = await _pending_report(session_factory, "Дерево распилено, вывозим")
    card = f"/incidents/{incident_id}"

    await login(client, "boss", PASSWORD)  # a manager sees the report, not the buttons
    assert "Дерево распилено" in await (await client.get(card)).text()
    assert f'id="decide-{update_id}"' not in await (await client.get(card)).text()
    assert (await _decide(client, card, update_id, "publish"))[0] == 403

    client.session.cookie_jar.clear()
    await login(client, "dispatch", PASSWORD)
    assert f'id="decide-{update_id}"' in await (await client.get(card)).text()
    assert (await _decide(client, card, update_id, "maybe"))[0] == 400
    status, location = await _decide(client, card, update_id, "publish")
    assert status == 303 and location == card
    page = await (await client.get(card)).text()
    assert "Опубликовано жителям" in page and f'id="decide-{update_id}"' not in page
    async with session_factory() as s:
        update = await s.get(DispatchUpdate, update_id)
        assert update is not None and update.publish == UpdatePublish.PUBLISHED
        texts = [str(p) for p in (await s.scalars(select(OutboxMessage.payload))).all()]
        assert any("Дерево распилено, вывозим" in t for t in texts)  # the subscribers of the house

    # A second decision (another dispatcher's stale page) changes nothing and says why.
    status, _ = await _decide(client, card, update_id, "keep")
    assert status == 303
    assert "уже принято решение" in await (await client.get(card)).text()


async def test_a_report_is_not_published_after_the_incident_is_closed(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    incident_id, update_id = await _pending_report(session_factory, "Завтра приедем")
    async with session_factory() as s:
        dispatcher = await s.scalar(select(User).where(User.login == "dispatch"))
        assert dispatcher is not None
        await journal.close_incident(s, dispatcher, incident_id, "Убрали своими силами")
        await s.commit()
    card = f"/incidents/{incident_id}"
    await login(client, "dispatch", PASSWORD)
    assert f'id="decide-{update_id}"' not in await (await client.get(card)).text()
    status, _ = await _decide(client, card, update_id, "publish")
    assert status == 303
    assert "доклад остаётся в журнале" in await (await client.get(card)).text()
    async with session_factory() as s:
        update = await s.get(DispatchUpdate, update_id)
        assert update is not None and update.publish == UpdatePublish.PENDING
