"""THE MUSEUM'S CHAIN (issue #16), joined end to end as people meet it.

A resident opens the news subscription form by its bot link (``/start form_news``), answers it, gets
the consent request and presses «✅ Подтверждаю»; a second resident answers and declines («Не нужно»).
A clerk builds a segment in the panel from the form's tag, sees the live count (one: only the
confirmed consent counts), composes a mailing to it and sends it; the real outbox sender drains to the
sandbox and only the first resident reads it. Plus: a resident answers the registration form of a
full event in the bot and reads their number on the waiting list.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiogram import Bot
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from bot.outbox_sender import OutboxSender
from models import Correspondent, EventRegistration, FormSubmission, MuseumEvent, User, utcnow
from models.enums import FormPurpose
from porucheno.i18n import gettext
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from services.audit import Actor
from services.events import registration
from services.events.events import EventInput
from services.events.manage import create_event, update_event
from services.forms import definitions as d
from services.mailings import consent as mailing_consent
from services.notify import NoticeContext
from tests.bot.conftest import Chat, keyboard_texts
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

pytestmark = pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING)
PASSWORD = "correct-horse-battery-chain"
NEWS = "Новости музея"
TAG = "новости"
MAILING_TEXT = "Ночь музеев — 18 мая, вход свободный."


def ru(msgid: str, **params: object) -> str:
    return gettext("ru", msgid, **params)


async def _seed_news_form(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        form = await d.create_form(
            session,
            d.FormDraft(
                slug="news",
                title_ru=NEWS,
                purpose=FormPurpose.SUBSCRIPTION,
                tags=TAG,
                thanks_ru="Спасибо! Осталось подтвердить подписку.",
            ),
            actor=Actor.system("test"),
        )
        await d.add_field(
            session,
            form.id,
            d.FieldDraft("name", "text", "Как к вам обращаться?", required=True, maps_to="name"),
            actor=Actor.system("test"),
        )
        await session.commit()
        return form.id


async def _answer_in_bot(chat: Chat, slug: str, title: str, name: str, thanks: str) -> None:
    """/start form_<slug>, the consent to personal data, the one question, «Отправить»."""
    await chat.send(f"/start form_{slug}", expect=title)
    prompt = await chat.reply("Согласие на обработку персональных данных")
    await chat.press(prompt, "✅ Согласен")
    await chat.reply("Вопрос 1 из 1")
    summary = await chat.send(name, expect="проверьте перед отправкой")
    assert name in summary["text"]
    await chat.press(summary, "✅ Отправить")
    await chat.reply(thanks)


async def deliver(bot: Bot, factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    await OutboxSender(bot, factory, global_rate=100, files_dir=settings.files_dir).drain(max_seconds=15)


@pytest.fixture
async def panel(
    bot_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[TestClient]:
    """The panel signed in as a clerk."""
    await make_user(session_factory, "clerk", PASSWORD, ["clerk"], full_name="Клеркова Ирина")
    app = create_admin_app(bot_settings, session_factory)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        await login(client, "clerk", PASSWORD)
        yield client


async def test_subscription_form_to_a_mailing_only_the_confirmed_resident_reads(
    new_chat: Any,
    client: SandboxClient,
    bot: Bot,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    panel: TestClient,
) -> None:
    form_id = await _seed_news_form(session_factory)
    thanks = "Спасибо! Осталось подтвердить подписку."

    # 1. Мария answers the form in the bot, receives the consent request and confirms it.
    maria = await new_chat("Мария")
    await _answer_in_bot(maria, "news", NEWS, "Мария Иванова", thanks)
    await deliver(bot, session_factory, bot_settings)
    ask = await maria.reply(ru(mailing_consent.ASK_TEXT))
    assert keyboard_texts(ask) == ["✅ Подтверждаю", "Не нужно"]
    await maria.press(ask, "✅ Подтверждаю")
    done = await maria.reply("Вы подписаны на новости музея")
    assert keyboard_texts(done) == []

    # 2. Олег answers too but declines the mailings.
    oleg = await new_chat("Олег")
    await _answer_in_bot(oleg, "news", NEWS, "Олег Петров", thanks)
    await deliver(bot, session_factory, bot_settings)
    ask = await oleg.reply(ru(mailing_consent.ASK_TEXT))
    await oleg.press(ask, "Не нужно")
    await oleg.reply("мы не будем присылать вам рассылки")

    # 3. The clerk builds the segment from the form's tag and sees the live count.
    live = await (await panel.get("/segments/count", params={"tags_any": TAG, "consent": "confirmed"})).json()
    assert live["count"] == 1 and [m["name"] for m in live["members"]] == ["Мария Иванова"]
    everyone = await (await panel.get("/segments/count", params={"tags_any": TAG, "consent": "any"})).json()
    assert everyone["count"] == 2  # both answered; only one may receive mailings
    by_form = await (
        await panel.get("/segments/count", params={"forms": str(form_id), "consent": "confirmed"})
    ).json()
    assert by_form["count"] == 1  # «answered this form» finds the same person
    builder = await (await panel.get("/segments/new")).text()
    assert NEWS in builder  # the form is offered among «forms answered»
    saved = await panel.post(
        "/segments/new",
        data={
            "csrf_token": csrf_of(builder),
            "name": "Подписчики новостей",
            "tags_any": TAG,
            "channel": "any",
            "consent": "confirmed",
        },
        allow_redirects=False,
    )
    assert saved.status == 303, await saved.text()
    segment_page = await (await panel.get(saved.headers["Location"])).text()
    assert 'data-count="1"' in segment_page and "Мария Иванова" in segment_page
    assert "Олег Петров" not in segment_page
    segment_id = int(re.search(r"/segments/(\d+)", saved.headers["Location"]).group(1))  # type: ignore[union-attr]

    # 4. The clerk composes a mailing to the segment and sends it now.
    compose = await (await panel.get("/mailings/new")).text()
    assert "Подписчики новостей" in compose
    created = await panel.post(
        "/mailings/new",
        data={
            "csrf_token": csrf_of(compose),
            "title": "Ночь музеев",
            "segment_id": str(segment_id),
            "body": MAILING_TEXT,
            "button_text_1": "Программа",
            "button_url_1": "https://museum.example.ru/night",
        },
        allow_redirects=False,
    )
    assert created.status == 303, await created.text()
    mailing_id = int(re.search(r"/mailings/(\d+)", created.headers["Location"]).group(1))  # type: ignore[union-attr]
    confirm = await (await panel.get(f"/mailings/{mailing_id}/send")).text()
    assert "рассылку получат 1 чел." in confirm
    sent = await panel.post(f"/mailings/{mailing_id}/send", data={"csrf_token": csrf_of(confirm)})
    assert "Рассылка отправляется." in await sent.text()

    # 5. The outbox drains to Telegram: Мария reads the mailing, Олег never does.
    await deliver(bot, session_factory, bot_settings)
    [mailing] = [m for m in await client.bot_messages(maria.user_id) if m.get("text") == MAILING_TEXT]
    assert keyboard_texts(mailing) == ["Программа", "Отписаться"]
    assert MAILING_TEXT not in [m.get("text") for m in await client.bot_messages(oleg.user_id)]
    page = await (await panel.get(f"/mailings/{mailing_id}")).text()
    shown = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}
    assert (shown["recipients"], shown["delivered"], shown["failed"]) == (1, 1, 0)


async def _full_event(factory: async_sessionmaker[AsyncSession], title: str) -> int:
    """An event with one seat, taken, and one person already waiting."""
    manager = await make_user(factory, "events", PASSWORD, ["manager"])
    async with factory() as session:
        starts = utcnow().replace(microsecond=0) + timedelta(days=3)
        event = await create_event(
            session,
            await session.get(User, manager.id),
            EventInput(title=title, starts_at=starts, place="Главный корпус, зал 3", capacity=1),
        )
        for name, email in (("Первая гостья", "first@example.org"), ("Второй гость", "second@example.org")):
            card = Correspondent(name=name, email=email)
            session.add(card)
            await session.flush()
            await registration.register(
                session,
                event_id=event.id,
                correspondent_id=card.id,
                actor=Actor.system("test"),
                email=card.email,
                ctx=NoticeContext(),
            )
        form = await d.create_form(
            session,
            d.FormDraft(
                slug="tour",
                title_ru="Запись на экскурсию",
                purpose=FormPurpose.EVENT,
                event_id=event.id,
                thanks_ru="Спасибо! Ответ о записи придёт следующим сообщением.",
            ),
            actor=Actor.system("test"),
        )
        await d.add_field(
            session,
            form.id,
            d.FieldDraft("name", "text", "Ваше имя", required=True, maps_to="name"),
            actor=Actor.system("test"),
        )
        await session.commit()
        return event.id


async def test_registration_form_of_a_full_event_puts_the_resident_on_the_waiting_list(
    new_chat: Any,
    bot: Bot,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    title = "Экскурсия по открытому хранению"
    await _full_event(session_factory, title)
    anna = await new_chat("Анна")
    await _answer_in_bot(
        anna, "tour", "Запись на экскурсию", "Анна Смирнова", "Ответ о записи придёт следующим сообщением"
    )
    await deliver(bot, session_factory, bot_settings)
    notice = await anna.reply("лист")
    assert notice["text"].startswith(
        ru(
            "All seats for «%(title)s» are taken: you are on the waiting list, number %(number)s. "
            "We will write to you if a seat frees up.",
            title=title,
            number=2,
        )
    )
    assert "Главный корпус, зал 3" in notice["text"]


async def test_a_closed_registration_is_refused_in_the_bot_and_nothing_is_kept(
    new_chat: Any,
    bot: Bot,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    title = "Экскурсия по открытому хранению"
    event_id = await _full_event(session_factory, title)
    anna = await new_chat("Анна")
    await anna.send("/start form_tour", expect="Запись на экскурсию")
    prompt = await anna.reply("Согласие на обработку персональных данных")
    await anna.press(prompt, "✅ Согласен")
    await anna.reply("Вопрос 1 из 1")
    summary = await anna.send("Анна Смирнова", expect="проверьте перед отправкой")
    # Meanwhile the clerk closes the registration in the panel.
    async with session_factory() as session:
        event = await session.get(MuseumEvent, event_id)
        manager = await session.scalar(select(User).where(User.login == "events"))
        data = EventInput(title=title, starts_at=event.starts_at, capacity=1, registration_open=False)
        await update_event(session, manager, event_id, data, NoticeContext())
        await session.commit()
    await anna.press(summary, "✅ Отправить")
    await anna.reply(ru("Registration for this event is closed."))
    await anna.reply("Главное меню")
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(FormSubmission)) == 0
        assert await session.scalar(select(func.count()).select_from(EventRegistration)) == 2
    # The form can be started again (the conversation was cleared, not stuck).
    await anna.send("/start form_tour", expect="Запись на экскурсию")


async def test_the_volunteer_questionnaire_linked_from_the_bot_lands_on_the_residents_card(
    new_chat: Any,
    bot_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """«🙋 Волонтёрство» sends a resident who is not a volunteer to the questionnaire on the website;
    answered there, it must make *them* a candidate (the bot shows the status), not a stranger's card."""
    async with session_factory() as session:
        form = await d.create_form(
            session,
            d.FormDraft(slug="volunteers", title_ru="Анкета волонтёра", purpose=FormPurpose.VOLUNTEER),
            actor=Actor.system("test"),
        )
        for draft in (
            d.FieldDraft("name", "text", "Ваше имя", required=True, maps_to="name"),
            d.FieldDraft("skills", "text", "Что вы умеете?"),
            d.FieldDraft(
                "availability",
                "multichoice",
                "Когда вы свободны?",
                options=[{"value": "weekends", "ru": "Выходные"}, {"value": "evenings", "ru": "Вечера"}],
            ),
        ):
            await d.add_field(session, form.id, draft, actor=Actor.system("test"))
        await session.commit()
    nina = await new_chat("Нина")
    await nina.send("/start")
    told = await nina.send("🙋 Волонтёрство", expect="Вы пока не волонтёр музея.")
    [url] = [e["url"] for e in told["entities"] if e["type"] == "text_link"]
    link = urlsplit(url)
    assert link.path == "/f/volunteers" and link.query.startswith("t=")  # the person's own link

    app = create_admin_app(bot_settings, session_factory)
    async with TestClient(TestServer(app, host="127.0.0.1")) as web:
        address = f"{link.path}?{link.query}"
        page = await (await web.get(address)).text()
        response = await web.post(
            address,
            data=[
                ("csrf_token", csrf_of(page)),
                ("form_key", re.search(r'name="form_key" value="([0-9a-f]{32})"', page).group(1)),  # type: ignore[union-attr]
                ("f_name", "Нина Лебедева"),
                ("f_skills", "Экскурсии, фотосъёмка"),
                ("f_availability", "weekends"),
                ("pd_consent", "1"),
            ],
            allow_redirects=False,
        )
        assert response.status == 303, await response.text()

    mine = await nina.send("🙋 Волонтёрство", expect="Волонтёрство")
    for line in ("Статус: анкету рассматривают", "Навыки: Экскурсии, фотосъёмка", "Сб: весь день"):
        assert line in mine["text"], line
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Correspondent)) == 1
