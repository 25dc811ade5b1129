"""The issue's test of applications: a resident's application from Telegram is reviewed by two
reviewers (one in the bot, one in the panel over HTTP), the manager approves it in the panel with a
text, and the resident reads the decision in the chat; the registry entry appears. Then more
information asked, added by the resident in the bot, and the application back in review."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from bot.outbox_sender import OutboxSender
from models import Application, ApplicationReview, Form, FormSubmission, RegistryEntry
from models.enums import ApplicationStatus, FormPurpose, Role, SubmissionChannel
from porucheno.i18n import gettext
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.runner import RunningSandbox
from services import staff
from services.applications import decisions, intake, types
from services.audit import Actor
from tests.bot.assignments_support import buttons, outbox_fixture, press_data  # noqa: F401 - fixtures
from tests.bot.conftest import Chat
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")

PASSWORD = "applications-password-1"
_ids = itertools.count(771_000_001)


def ru(message: str, **params: object) -> str:
    """What a Russian reader sees for a msgid (the translation once the catalog has it)."""
    return gettext("ru", message, **params)


@dataclass
class World:
    factory: async_sessionmaker[AsyncSession]
    settings: Settings
    resident: Chat
    reviewer: Chat  # reviews in the bot
    stranger: Chat  # a resident who did not apply
    application_id: int
    number: str


async def _staff(
    session: AsyncSession, client: SandboxClient, name: str, login: str, roles: list[str]
) -> Chat:
    telegram_id = next(_ids)
    await staff.create_user(
        session,
        Actor.system(),
        full_name=name,
        roles=roles,
        telegram_id=telegram_id,
        login=login,
        password=PASSWORD,
    )
    await client.register_user(user_id=telegram_id, first_name=name.split()[0], language_code="ru")
    return Chat(client, telegram_id)


@pytest.fixture(name="world")
async def world_fixture(
    client: SandboxClient,
    polling: None,
    outbox: OutboxSender,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> World:
    resident_id, stranger_id = next(_ids), next(_ids)
    for uid, name in ((resident_id, "Мария"), (stranger_id, "Пётр")):
        await client.register_user(user_id=uid, first_name=name, language_code="ru")
    async with session_factory() as session:
        manager = await staff.create_user(
            session,
            Actor.system(),
            full_name="Орлова Ирина",
            roles=[Role.MANAGER],
            login="orlova",
            password=PASSWORD,
        )
        reviewer = await _staff(session, client, "Белов Олег", "belov", [Role.EXECUTOR])
        await staff.create_user(
            session,
            Actor.system(),
            full_name="Чернова Анна",
            roles=[Role.EXECUTOR],
            login="chernova",
            password=PASSWORD,
        )
        await staff.create_user(
            session,
            Actor.system(),
            full_name="Серов Павел",
            roles=[Role.EXECUTOR],
            login="serov",
            password=PASSWORD,
        )
        ids = {u.login: u.id for u in await staff_list(session)}
        kind = await types.create_type(
            session,
            types.TypeInput(
                name_ru="Памятник науки и техники",
                criteria=[
                    ("Историческая значимость", 10),
                    ("Техническая значимость", 10),
                    ("Сохранность", 5),
                ],
                to_registry=True,
                reviewer_ids=[ids["belov"], ids["chernova"]],
            ),
            actor=manager,
        )
        form = Form(
            slug="monument",
            title_ru="Заявка в реестр",
            purpose=FormPurpose.APPLICATION,
            application_type_id=kind.id,
        )
        session.add(form)
        await session.flush()
        submission = FormSubmission(
            form_id=form.id,
            channel=SubmissionChannel.TELEGRAM,
            telegram_id=resident_id,
            answers={
                "title": "Паровоз Эу-684",
                "organisation": "Музей железной дороги",
                "summary": "Паровоз 1912 года",
            },
            locale="ru",
        )
        session.add(submission)
        await session.flush()
        application = await intake.from_submission(
            session, form=form, submission=submission, actor=Actor(telegram_id=resident_id)
        )
        await session.commit()
        return World(
            session_factory,
            settings,
            Chat(client, resident_id),
            reviewer,
            Chat(client, stranger_id),
            application.id,
            application.number,
        )


async def staff_list(session: AsyncSession):  # type: ignore[no-untyped-def]
    from models import User

    return list(await session.scalars(select(User)))


class Panel:
    def __init__(self, http: TestClient) -> None:
        self.http = http

    async def login(self, login: str) -> None:
        self.http.session.cookie_jar.clear()
        token = csrf_of(await (await self.http.get("/login")).text())
        response = await self.http.post(
            "/login", data={"login": login, "password": PASSWORD, "csrf_token": token}, allow_redirects=False
        )
        assert response.status == 303

    async def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        token = csrf_of(await (await self.http.get("/applications")).text())
        response = await self.http.post(path, data={**data, "csrf_token": token}, allow_redirects=True)
        return response.status, await response.text()


async def _status(w: World) -> str:
    async with w.factory() as session:
        application = await session.get(Application, w.application_id)
        assert application is not None
        return application.status


async def _review_in_bot(w: World) -> dict:
    r = w.reviewer
    notice = await r.reply(w.number)
    assert "Паровоз Эу-684" in notice["text"] and "Музей железной дороги" in notice["text"]
    review_label = ru("⭐ Review")
    assert buttons(notice)[review_label] == f"ap:rate:{w.application_id}"
    await r.press(notice, review_label)
    await r.reply("Историческая значимость")
    refused = await r.send(
        "11", expect=ru("Each score is a whole number from 0 to its maximum (%(max)s).", max=10)
    )
    assert "Историческая значимость" in refused["text"]
    await r.send("9", expect="Техническая значимость")
    await r.send("8", expect="Сохранность")
    comment_ask = await r.send("4")
    assert ru("Without a comment") in buttons(comment_ask)
    ask = await r.send("Ценный образец паровозостроения")
    await r.press(ask, ru("👍 Approve"))
    await r.reply(ru("✅ Your review is saved. Total score: %(total)s.", total=21))
    return notice


async def test_application_reviewed_and_answered(world: World) -> None:
    w = world
    received = await w.resident.reply(w.number)
    assert "Паровоз Эу-684" in received["text"] and ru("Your application is received") in received["text"]
    notice = await _review_in_bot(w)
    assert await _status(w) == ApplicationStatus.IN_REVIEW

    page = f"/applications/{w.application_id}"
    async with TestClient(TestServer(create_admin_app(w.settings, w.factory), host="127.0.0.1")) as http:
        panel = Panel(http)
        # Someone who is not a reviewer sees neither the application nor may review it.
        await panel.login("serov")
        assert w.number not in await (await http.get("/applications")).text()
        assert (await http.get(page)).status == 404
        status, _ = await panel.post(page + "/review", {"score_c1": "5", "score_c2": "5", "score_c3": "5"})
        assert status == 404
        # The second reviewer in the panel: a score out of range is refused, then the review is saved.
        await panel.login("chernova")
        assert w.number in await (await http.get("/applications")).text()
        status, html = await panel.post(page + "/review", {"score_c1": "7", "score_c2": "7", "score_c3": "9"})
        assert (
            status == 422
            and ru("Each score is a whole number from 0 to its maximum (%(max)s).", max=5) in html
        )
        status, html = await panel.post(
            page + "/review",
            {
                "score_c1": "7",
                "score_c2": "6",
                "score_c3": "3",
                "comment": "Нужна реставрация",
                "recommendation": "approved",
            },
        )
        assert status == 200 and "Нужна реставрация" in html and "Ценный образец паровозостроения" in html
        assert 'id="average"' in html and "18,5" in html  # (21 + 16) / 2, with the Russian decimal comma
        assert 'id="decision-form"' not in html  # a reviewer does not decide
        assert await _status(w) == ApplicationStatus.REVIEWED
        # The manager decides.
        await panel.login("orlova")
        status, html = await panel.post(
            page + "/decide", {"decision": "approved", "text": "Включить в реестр памятников"}
        )
        assert status == 200 and ru("Approved") in html

    decision = await w.resident.reply("Включить в реестр памятников")
    async with w.factory() as session:
        entry = await session.scalar(
            select(RegistryEntry).where(RegistryEntry.application_id == w.application_id)
        )
        assert entry is not None and entry.published
    assert ru("Your application is approved") in decision["text"] and entry.number in decision["text"]

    # The reviewer's old card: after the decision the review cannot be changed.
    query = await w.reviewer.press(notice, ru("⭐ Review"))
    answer = await w.reviewer.callback_answer(query)
    assert answer["text"] == ru("The application is not in review now; reviews cannot be changed.")

    # «My applications» (the button on the notice, or /applications) shows it with its status.
    await w.resident.press(decision, ru("📨 My applications"))
    listing = await w.resident.reply(ru("<b>My applications</b>").replace("<b>", "").replace("</b>", ""))
    assert w.number in listing["text"] and ru("approved") in listing["text"]
    listing = await w.resident.send("/applications", expect=w.number)
    await w.resident.press(listing, f"{w.number} · Паровоз Эу-684")
    card = await w.resident.reply("Включить в реестр памятников")
    assert ru("Status: %(status)s", status=ru("approved")) in card["text"]
    # The reviewer's /applications lists what they review.
    reviewing = await w.reviewer.send("/applications", expect=w.number)
    assert ru("reviewed") in reviewing["text"]


async def test_more_information_added_in_the_bot(world: World, sandbox: RunningSandbox) -> None:
    w = world
    await w.resident.reply(w.number)
    async with w.factory() as session:
        manager = next(u for u in await staff_list(session) if u.login == "orlova")
        await session.execute(
            ApplicationReview.__table__.update()
            .where(ApplicationReview.application_id == w.application_id)
            .values(scores={"c1": 5, "c2": 5, "c3": 5}, total=15, submitted_at=manager.created_at)
        )
        application = await session.get(Application, w.application_id)
        assert application is not None
        application.status = ApplicationStatus.REVIEWED
        await decisions.decide(
            session, w.application_id, "needs_more", "Пришлите фото заводской таблички", actor=manager
        )
        await session.commit()
    asked = await w.resident.reply("Пришлите фото заводской таблички")
    more_label = ru("✍️ Add to the application")
    assert buttons(asked)[more_label] == f"ap:more:{w.application_id}"

    # A forged press from someone else is refused, nothing changes.
    stranger_menu = await w.stranger.send("/start")
    query = press_data(sandbox, w.stranger, stranger_menu["message_id"], f"ap:more:{w.application_id}")
    assert (await w.stranger.callback_answer(query))["text"] == ru("Application not found.")
    query = press_data(sandbox, w.stranger, stranger_menu["message_id"], f"ap:rate:{w.application_id}")
    assert (await w.stranger.callback_answer(query))["text"] == ru("Application not found.")
    query = press_data(sandbox, w.stranger, stranger_menu["message_id"], "ap:open:99999999999999999999")
    assert (await w.stranger.callback_answer(query))["text"]  # a forged id: answered, never silent
    assert await _status(w) == ApplicationStatus.NEEDS_MORE

    await w.resident.press(asked, more_label)
    prompt = await w.resident.reply(w.number)
    assert "📤" in "".join(buttons(prompt))
    ack = await w.resident.send(
        "Табличка: Коломенский завод, 1912 год",
        expect=ru("Added. Write more, send files, or press «📤 Send»."),
    )
    await w.resident.press(ack, ru("📤 Send"))
    await w.resident.reply(ru("Thank you! Application № %(number)s is back in review.", number=w.number))
    assert await _status(w) == ApplicationStatus.IN_REVIEW
    again = await w.reviewer.reply(ru("The applicant added information: please review again"))
    assert w.number in again["text"] and "Коломенский завод" in again["text"]
