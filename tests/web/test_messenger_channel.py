"""The panel shows a person's messengers and sets where their notices go; staff invites in MAX.

Accounts are made directly as rows: a MAX account's id is its chat address (services/messengers.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, Correspondent, TelegramAccount, User
from porucheno.settings import Settings
from services.audit import Actor
from services.messengers import max_address
from services.staff import create_user
from tests.web.conftest import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    IGNORE_SESSION_KEY_WARNING,
    AppFactory,
    csrf_of,
    login,
    make_user,
)

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

MAX_ID = max_address(31337)
BLOCKED = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)


def account(address: int, **fields: object) -> TelegramAccount:
    return TelegramAccount(id=address, chat_id=address, **fields)


async def staff_in_both(session_factory: async_sessionmaker[AsyncSession]) -> User:
    async with session_factory() as session:
        user = await create_user(session, Actor.system("test"), full_name="Иван Двойной", telegram_id=555)
        session.add_all(
            [
                account(555, user_id=user.id, first_name="Иван", username="ivan_tg"),
                account(
                    MAX_ID,
                    messenger="max",
                    user_id=user.id,
                    first_name="Иван",
                    last_name="Макс",
                    blocked_at=BLOCKED,
                ),
            ]
        )
        await session.commit()
        return user


async def person_in_both(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        person = Correspondent(name="Мария Жителева", telegram_id=9001)
        session.add(person)
        await session.flush()
        session.add_all(
            [
                account(9001, correspondent_id=person.id, username="maria_tg"),
                account(MAX_ID, messenger="max", correspondent_id=person.id, first_name="Мария"),
            ]
        )
        await session.commit()
        return person.id


async def preferred(session_factory: async_sessionmaker[AsyncSession], model: type, pk: int) -> str | None:
    async with session_factory() as session:
        row = await session.get(model, pk)
        assert row is not None
        return row.preferred_messenger  # type: ignore[no-any-return]


def options_of(html: str) -> list[str]:
    form = html[html.index('id="messenger-form"') :]
    form = form[: form.index("</form>")]
    return re.findall(r'<option value="([^"]*)"', form)


async def test_staff_page_shows_both_accounts_and_saves_the_channel(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ivan = await staff_in_both(session_factory)
    await login(client)
    page = await (await client.get(f"/staff/{ivan.id}")).text()
    assert 'id="messengers"' in page
    assert 'data-messenger="telegram" data-address="555"' in page
    assert f'data-messenger="max" data-address="{MAX_ID}"' in page
    assert "@ivan_tg" in page and "Иван Макс" in page
    assert page.count('class="badge danger blocked"') == 1
    assert options_of(page) == ["", "telegram", "max"]
    # The staff list shows both badges.
    listing = await (await client.get("/staff")).text()
    row = listing[listing.index(f'<tr data-id="{ivan.id}"') :]
    row = row[: row.index("</tr>")]
    assert "channel-telegram" in row and "channel-max" in row

    response = await client.post(
        f"/staff/{ivan.id}/messenger",
        data={"messenger": "max", "csrf_token": csrf_of(page)},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == f"/staff/{ivan.id}#messengers"
    assert await preferred(session_factory, User, ivan.id) == "max"
    page = await (await client.get(f"/staff/{ivan.id}")).text()
    assert '<option value="max" selected>' in page
    async with session_factory() as session:
        event = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "preferred_messenger_set", AuditEvent.entity_id == ivan.id
            )
        )
        assert event is not None and event.actor_user_id == admin.id and event.new_state == "max"

    # A value outside the list, or a messenger the person lacks, is refused and nothing changes.
    admin_page = await (await client.get(f"/staff/{admin.id}")).text()
    assert 'id="messenger-form"' not in admin_page and 'id="no-messengers"' in admin_page
    for target, value in ((ivan.id, "whatsapp"), (admin.id, "telegram")):
        response = await client.post(
            f"/staff/{target}/messenger", data={"messenger": value, "csrf_token": csrf_of(page)}
        )
        assert response.status == 200
    assert await preferred(session_factory, User, ivan.id) == "max"
    assert await preferred(session_factory, User, admin.id) is None


async def test_staff_channel_needs_the_right_and_the_csrf_token(
    app_factory: AppFactory, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ivan = await staff_in_both(session_factory)
    await make_user(session_factory, "clerk", ADMIN_PASSWORD, ["clerk"])
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as clerk:
        await login(clerk, "clerk")
        token = csrf_of(await (await clerk.get("/")).text())
        response = await clerk.post(
            f"/staff/{ivan.id}/messenger",
            data={"messenger": "max", "csrf_token": token},
            allow_redirects=False,
        )
        assert response.status == 403
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as client:
        await login(client)
        token = csrf_of(await (await client.get(f"/staff/{ivan.id}")).text())
        for data in ({"messenger": "max"}, {"messenger": "max", "csrf_token": "forged-" + token}):
            response = await client.post(f"/staff/{ivan.id}/messenger", data=data, allow_redirects=False)
            assert response.status == 403
    assert await preferred(session_factory, User, ivan.id) is None


async def test_invite_offers_max_only_when_enabled(
    app_factory: AppFactory,
    admin: User,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ivan = await staff_in_both(session_factory)
    enabled = settings.model_copy(update={"max_token": "max-token", "max_bot_username": "porucheno_max"})
    for app_settings, with_max in ((settings, False), (enabled, True)):
        async with TestClient(TestServer(app_factory(settings=app_settings), host="127.0.0.1")) as client:
            await login(client)
            edit = await (await client.get(f"/staff/{ivan.id}")).text()
            assert ('id="invite-max-hint"' in edit) is with_max
            page = await (
                await client.post(f"/staff/{ivan.id}/invite", data={"csrf_token": csrf_of(edit)})
            ).text()
            tg = re.search(
                r'value="https://t\.me/porucheno_bot\?start=inv_([A-Za-z0-9_-]+)" id="invite-link"', page
            )
            assert tg, page
            mx = re.search(
                r'value="https://max\.ru/porucheno_max\?start=inv_([A-Za-z0-9_-]+)" id="invite-link-max"',
                page,
            )
            assert bool(mx) is with_max
            if mx:
                assert mx.group(1) == tg.group(1)  # one invite, two doors
                assert 'id="invite-links-hint"' in page


async def test_correspondent_card_shows_and_sets_the_channel(
    app_factory: AppFactory, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    person_id = await person_in_both(session_factory)
    await make_user(session_factory, "clerk", ADMIN_PASSWORD, ["clerk"])
    await make_user(session_factory, "executor", ADMIN_PASSWORD, ["executor"])
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as clerk:
        await login(clerk, "clerk")
        page = await (await clerk.get(f"/correspondents/{person_id}")).text()
        assert 'data-messenger="telegram" data-address="9001"' in page
        assert f'data-messenger="max" data-address="{MAX_ID}"' in page and "@maria_tg" in page
        assert options_of(page) == ["", "telegram", "max"]
        token = csrf_of(page)
        response = await clerk.post(
            f"/correspondents/{person_id}/messenger", data={"messenger": "max"}, allow_redirects=False
        )
        assert response.status == 403  # no CSRF token
        assert await preferred(session_factory, Correspondent, person_id) is None
        response = await clerk.post(
            f"/correspondents/{person_id}/messenger",
            data={"messenger": "max", "csrf_token": token},
            allow_redirects=False,
        )
        assert response.status == 303
        assert response.headers["Location"] == f"/correspondents/{person_id}#messengers"
        assert await preferred(session_factory, Correspondent, person_id) == "max"
        page = await (await clerk.get(f"/correspondents/{person_id}")).text()
        assert '<option value="max" selected>' in page
        response = await clerk.post(
            "/correspondents/999999/messenger",
            data={"messenger": "", "csrf_token": token},
            allow_redirects=False,
        )
        assert response.status == 404
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as executor:
        await login(executor, "executor")
        token = csrf_of(await (await executor.get("/")).text())
        response = await executor.post(
            f"/correspondents/{person_id}/messenger",
            data={"messenger": "telegram", "csrf_token": token},
            allow_redirects=False,
        )
        assert response.status == 403
    assert await preferred(session_factory, Correspondent, person_id) == "max"


@pytest.mark.browser
async def test_admin_picks_max_in_the_browser(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ivan = await staff_in_both(session_factory)
    await page.goto("/login")
    await page.fill("#f-login", ADMIN_LOGIN)
    await page.fill("#f-password", ADMIN_PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page.locator("h1")).to_have_text("Обзор")
    await page.goto(f"/staff/{ivan.id}")
    await expect(page.locator("#messenger-accounts li")).to_have_count(2)
    await page.select_option("#f-messenger", "max")
    await page.click("#messenger-save")
    await expect(page.locator(".flash")).to_contain_text("MAX")
    await page.reload()
    await expect(page.locator("#f-messenger")).to_have_value("max")
    assert await preferred(session_factory, User, ivan.id) == "max"
