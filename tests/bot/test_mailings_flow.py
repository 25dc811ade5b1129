"""The issue's test of mailings: a mailing with a photo and link buttons to a segment in the sandbox,
sent from the panel and drained by the real outbox sender. Consented residents see it in their
chats; one without consent never does; one who blocked the bot is counted as blocked; one presses
«Отписаться» and is out of the next mailing; the counts on the mailing page match. Plus a forged and
a repeated opt-out press."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from bot.outbox_sender import OutboxSender
from models import TelegramAccount, User
from models.enums import MailingConsentStatus, MailingStatus
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.runner import RunningSandbox
from tests.bot.conftest import Chat
from tests.bot.dispatch_support import press_data
from tests.mailings_support import (
    MANAGER_LOGIN,
    MANAGER_PASSWORD,
    compose,
    get_mailing,
    make_manager,
    make_person,
    make_segment,
)
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of

pytestmark = pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING)
OPTED_OUT = "Вы отписались от рассылок."


@pytest.fixture
async def panel(
    bot_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[TestClient]:
    await make_manager(session_factory)
    async with TestClient(
        TestServer(create_admin_app(bot_settings, session_factory), host="127.0.0.1")
    ) as client:
        page = await (await client.get("/login")).text()
        response = await client.post(
            "/login",
            data={"login": MANAGER_LOGIN, "password": MANAGER_PASSWORD, "csrf_token": csrf_of(page)},
            allow_redirects=False,
        )
        assert response.status == 303
        yield client


async def send_from_panel(panel: TestClient, mailing_id: int) -> str:
    """«Send now», then the confirmation step, as the manager does it."""
    confirm = await (await panel.get(f"/mailings/{mailing_id}/send")).text()
    assert "Да, отправить сейчас" in confirm
    response = await panel.post(f"/mailings/{mailing_id}/send", data={"csrf_token": csrf_of(confirm)})
    return await response.text()


def counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


async def deliver(bot: Bot, factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    await OutboxSender(bot, factory, global_rate=100, files_dir=settings.files_dir).drain(max_seconds=15)


async def mailing_messages(client: SandboxClient, chat: Chat) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in await client.bot_messages(chat.user_id) if m["kind"] == "photo"]


async def test_mailing_with_a_blocked_user_and_an_opt_out(
    new_chat,  # type: ignore[no-untyped-def]
    client: SandboxClient,
    sandbox: RunningSandbox,
    bot: Bot,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    panel: TestClient,
) -> None:
    segment = await make_segment(session_factory)
    residents: list[Chat] = [await new_chat(name) for name in ("Мария", "Олег", "Светлана")]
    for chat in residents:
        await make_person(session_factory, f"Житель {chat.user_id}", telegram_id=chat.user_id)
    no_consent = await new_chat("Пётр")
    await make_person(
        session_factory,
        "Пётр без согласия",
        telegram_id=no_consent.user_id,
        consent=MailingConsentStatus.PENDING,
    )
    blocker = await new_chat("Анна")
    await make_person(session_factory, "Анна заблокировала", telegram_id=blocker.user_id)
    await client.block(blocker.user_id)

    first = await compose(
        session_factory,
        bot_settings.files_dir,
        await make_manager_id(session_factory),
        segment,
        buttons=[
            ("Программа", "https://museum.example.ru/night"),
            ("Билеты", "https://museum.example.ru/tickets"),
        ],
    )
    page = await send_from_panel(panel, first)
    assert "Рассылка отправляется." in page
    await deliver(bot, session_factory, bot_settings)

    for chat in residents:
        [message] = await mailing_messages(client, chat)
        assert message["caption"] == "Ночь музеев — 18 мая, вход свободный."
        assert message["media"][0]["type"] == "photo"
        rows = message["reply_markup"]["inline_keyboard"]
        assert [b["text"] for row in rows for b in row] == ["Программа", "Билеты", "Отписаться"]
        assert rows[0][0]["url"] == "https://museum.example.ru/night"
    assert await client.bot_messages(no_consent.user_id) == []
    assert await client.bot_messages(blocker.user_id) == []

    shown = counts(await (await panel.get(f"/mailings/{first}")).text())
    assert shown == {
        "recipients": 4,
        "queued": 0,
        "delivered": 3,
        "blocked": 1,
        "failed": 0,
        "opted_out": 0,
        "skipped": 0,  # Пётр has not confirmed: not a member of a segment of subscribers
    }
    assert (await get_mailing(session_factory, first)).status == MailingStatus.SENT

    # Мария unsubscribes under the message: the answer, and the buttons are gone.
    maria = residents[0]
    [message] = await mailing_messages(client, maria)
    query = await maria.press(message, "Отписаться")
    assert (await maria.callback_answer(query))["text"] == OPTED_OUT
    [message] = await mailing_messages(client, maria)
    assert not (message.get("reply_markup") or {}).get("inline_keyboard")
    # A second press (a stale copy of the button) is answered clearly, nothing changes.
    query = press_data(sandbox, maria, message["message_id"], f"mlo:{first}")
    assert (await maria.callback_answer(query))["text"] == "Вы уже отписались от рассылок."

    page = await (await panel.get(f"/mailings/{first}")).text()
    assert counts(page)["opted_out"] == 1

    second = await compose(
        session_factory,
        bot_settings.files_dir,
        await make_manager_id(session_factory),
        segment,
        title="Лекторий",
        body="Лекция о передвижниках в субботу.",
        photo=False,
    )
    confirm = await (await panel.get(f"/mailings/{second}/send")).text()
    assert "рассылку получат 2 чел." in confirm  # Мария opted out, Анна is known to have blocked the bot
    await send_from_panel(panel, second)
    await deliver(bot, session_factory, bot_settings)
    texts = [m.get("text") for m in await client.bot_messages(maria.user_id)]
    assert "Лекция о передвижниках в субботу." not in texts
    for chat in residents[1:]:
        assert "Лекция о передвижниках в субботу." in [
            m.get("text") for m in await client.bot_messages(chat.user_id)
        ]
    shown = counts(await (await panel.get(f"/mailings/{second}")).text())
    # Left out: Анна, known to have blocked the bot (Мария unsubscribed and Пётр never confirmed, so
    # neither is a member of the segment of subscribers any more).
    assert (shown["recipients"], shown["delivered"], shown["blocked"], shown["skipped"]) == (2, 2, 0, 1)


async def test_forged_opt_out_presses(
    new_chat,  # type: ignore[no-untyped-def]
    client: SandboxClient,
    sandbox: RunningSandbox,
    bot: Bot,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    panel: TestClient,
) -> None:
    segment = await make_segment(session_factory)
    resident = await new_chat("Ирина")
    await make_person(session_factory, "Ирина", telegram_id=resident.user_id)
    outsider = await new_chat("Чужой")
    await make_person(session_factory, "Чужой", telegram_id=outsider.user_id, tag="спорт")
    mailing = await compose(
        session_factory, bot_settings.files_dir, await make_manager_id(session_factory), segment, photo=False
    )
    await send_from_panel(panel, mailing)
    await deliver(bot, session_factory, bot_settings)
    [message] = await client.bot_messages(resident.user_id)
    # The outsider answers the bot once, so there is a message of theirs to press a forged button on.
    greeting = await outsider.send("/start")
    for forged, answer in (
        (f"mlo:{mailing}", "Эта рассылка вам не отправлялась."),
        (f"mlo:{mailing + 1000}", "Этой рассылки больше нет."),
        ("mlo:abc", "Эта рассылка вам не отправлялась."),
        ("mlo:99999999999999999999", "Эта рассылка вам не отправлялась."),
    ):
        query = press_data(sandbox, outsider, greeting["message_id"], forged)
        assert (await outsider.callback_answer(query))["text"] == answer, forged
    # The resident's own consent is untouched by the outsider's presses.
    page = await (await panel.get(f"/mailings/{mailing}")).text()
    assert counts(page)["opted_out"] == 0 and counts(page)["delivered"] == 1
    assert message["reply_markup"]["inline_keyboard"][-1][0]["text"] == "Отписаться"


async def make_manager_id(factory: async_sessionmaker[AsyncSession]) -> int:
    """The manager the ``panel`` fixture made and signed in."""
    async with factory() as session:
        user_id = await session.scalar(select(User.id).where(User.login == MANAGER_LOGIN))
        assert user_id is not None
        return user_id


async def test_a_test_from_the_panel_reaches_only_the_sender(
    new_chat,  # type: ignore[no-untyped-def]
    client: SandboxClient,
    bot: Bot,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    panel: TestClient,
) -> None:
    manager_id = await make_manager_id(session_factory)
    own = await new_chat("Ольга")
    async with session_factory() as session:
        session.add(
            TelegramAccount(id=own.user_id, chat_id=own.user_id, first_name="Ольга", user_id=manager_id)
        )
        await session.commit()
    segment = await make_segment(session_factory)
    resident = await new_chat("Мария")
    await make_person(session_factory, "Мария", telegram_id=resident.user_id)
    mailing = await compose(session_factory, bot_settings.files_dir, manager_id, segment)
    page = await (await panel.get(f"/mailings/{mailing}")).text()
    response = await panel.post(f"/mailings/{mailing}/test", data={"csrf_token": csrf_of(page)})
    assert "Проверочное сообщение отправлено вам в Телеграм." in await response.text()
    await deliver(bot, session_factory, bot_settings)

    note, photo = await client.bot_messages(own.user_id)
    assert note["text"] == "Проверка рассылки «Ночь музеев»"
    assert photo["kind"] == "photo" and photo["caption"] == "Ночь музеев — 18 мая, вход свободный."
    assert [b["text"] for row in photo["reply_markup"]["inline_keyboard"] for b in row] == ["Программа"]
    assert await client.bot_messages(resident.user_id) == []
    assert (await get_mailing(session_factory, mailing)).status == MailingStatus.DRAFT
