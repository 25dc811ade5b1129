"""Forms joined to the other areas (issue #16): what an answer to a form of each purpose does.

Every answer goes through ``services.forms.intake.submit`` as the bot and the public page send it,
then the effect is read where the person and the staff would meet it: the registration and the
confirmation queued in the chat (outbox) or the e-mail (mail outbox), the volunteer candidate with
the tag, the numbered application with the reviewers' cards, the pending consent to mailings with
its buttons or link. A refused hook (registration closed) rolls the whole answer back.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    Application,
    AuditEvent,
    Correspondent,
    EventRegistration,
    FormSubmission,
    MailingConsent,
    MuseumEvent,
    OutboxMessage,
    TelegramAccount,
    User,
)
from models.enums import (
    ApplicationStatus,
    FormPurpose,
    MailingConsentStatus,
    RegistrationStatus,
    SubmissionChannel,
    VolunteerStatus,
)
from services.applications import queries as application_queries
from services.audience import tags
from services.audit import Actor
from services.errors import DomainError
from services.events.events import EventInput
from services.events.manage import update_event
from services.forms import definitions as d
from services.forms.intake import SubmissionInput, SubmitResult, submit
from services.mailings import consent as mailing_consent
from services.notify import NoticeContext
from services.privacy import consent as privacy_consent
from services.volunteers import base as volunteers
from tests.services.applications_support import make_setup
from tests.services.events_support import letters_to, make_event, make_manager, messages_to, ru

WAITING = (
    "All seats for «%(title)s» are taken: you are on the waiting list, number %(number)s. "
    "We will write to you if a seat frees up."
)
CTX = NoticeContext(panel_url="https://panel.example.org")
TITLE = "Экскурсия по открытому хранению"

Factory = async_sessionmaker[AsyncSession]


def _system() -> Actor:
    return Actor.system("test")


async def _form(factory: Factory, slug: str, purpose: str, fields: list[d.FieldDraft], **kw: Any) -> int:
    async with factory() as session:
        form = await d.create_form(
            session,
            d.FormDraft(slug=slug, title_ru=f"Анкета {slug}", purpose=purpose, **kw),
            actor=_system(),
        )
        for draft in fields:
            await d.add_field(session, form.id, draft, actor=_system())
        await session.commit()
        return form.id


NAME = d.FieldDraft("name", "text", "Имя", required=True, maps_to="name")
EMAIL = d.FieldDraft("email", "email", "Эл. почта", maps_to="email")


async def _chat(factory: Factory, telegram_id: int, name: str = "Житель") -> None:
    """The person has talked to the bot: their Telegram account exists, as the bot's middleware makes it."""
    async with factory() as session:
        session.add(TelegramAccount(id=telegram_id, chat_id=telegram_id, first_name=name))
        await session.commit()


async def _answer(
    factory: Factory,
    form_id: int,
    answers: dict[str, Any],
    *,
    telegram_id: int | None = None,
    key: str = "1",
) -> SubmitResult:
    """One answer, sent and committed as the bot (with ``telegram_id``) or the public page does."""
    async with factory() as session:
        version = (await privacy_consent.current(session, privacy_consent.ACTIVITIES)).version
        result = await submit(
            session,
            SubmissionInput(
                form_id=form_id,
                channel=SubmissionChannel.TELEGRAM if telegram_id else SubmissionChannel.WEB,
                answers=answers,
                consent_version=version,
                telegram_id=telegram_id,
                telegram_name="Житель" if telegram_id else None,
                dedup_key=f"{telegram_id or 'web'}:{form_id}:{key}",
                ip=None if telegram_id else "203.0.113.7",
                notify=CTX,
            ),
        )
        assert result.ok, result.errors
        await session.commit()
        return result


async def _count(factory: Factory, model: type) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _consent(factory: Factory, card_id: int) -> MailingConsent | None:
    async with factory() as session:
        return await mailing_consent.status_of(session, card_id)


async def _outbox(factory: Factory, chat_id: int) -> list[OutboxMessage]:
    async with factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(rows.all())


def _buttons(message: OutboxMessage) -> list[str]:
    rows = (message.payload.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b["text"] for row in rows for b in row]


# --- event -------------------------------------------------------------------------------------


async def test_event_form_seats_then_waiting_list_in_chat_and_by_mail(session_factory: Factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=1)
    form_id = await _form(session_factory, "tour", FormPurpose.EVENT, [NAME, EMAIL], event_id=event_id)
    await _chat(session_factory, 9101)

    seated = await _answer(session_factory, form_id, {"name": "Анна"}, telegram_id=9101)
    waiting = await _answer(session_factory, form_id, {"name": "Борис", "email": "boris@example.org"})

    async with session_factory() as session:
        rows = {
            r.correspondent_id: r
            for r in (
                await session.scalars(select(EventRegistration).where(EventRegistration.event_id == event_id))
            ).all()
        }
    assert rows[seated.correspondent.id].status == RegistrationStatus.REGISTERED
    assert rows[seated.correspondent.id].submission_id == seated.submission.id
    assert rows[waiting.correspondent.id].status == RegistrationStatus.WAITLIST
    # The person with the chat reads the confirmation there; the web guest gets a letter.
    [text] = await messages_to(session_factory, 9101)
    assert ru("✅ You are registered for «%(title)s».", title=TITLE) in text
    [letter] = await letters_to(session_factory, "boris@example.org")
    assert letter.subject == ru("Waiting list for «%(title)s»", title=TITLE)
    assert letter.body.startswith(ru(WAITING, title=TITLE, number=1))
    assert "Главный корпус, зал 3" in letter.body


async def test_a_closed_registration_rolls_the_whole_answer_back(session_factory: Factory) -> None:
    manager = await make_manager(session_factory)
    event_id = await make_event(session_factory, manager, capacity=5)
    form_id = await _form(session_factory, "closed", FormPurpose.EVENT, [NAME], event_id=event_id)
    async with session_factory() as session:
        event = await session.get(MuseumEvent, event_id)
        data = EventInput(title=TITLE, starts_at=event.starts_at, capacity=5, registration_open=False)
        await update_event(session, await session.get(User, manager), event_id, data, CTX)
        await session.commit()
    await _chat(session_factory, 9102)
    cards_before = await _count(session_factory, Correspondent)

    async with session_factory() as session:
        version = (await privacy_consent.current(session, privacy_consent.ACTIVITIES)).version
        with pytest.raises(DomainError) as refused:
            await submit(
                session,
                SubmissionInput(
                    form_id=form_id,
                    channel=SubmissionChannel.TELEGRAM,
                    answers={"name": "Опоздавший"},
                    consent_version=version,
                    telegram_id=9102,
                    dedup_key="late",
                    notify=CTX,
                ),
            )
        await session.rollback()  # as the bot and the public page do on a refusal
    assert refused.value.message == "Registration for this event is closed."
    assert ru(refused.value.message) != refused.value.message  # the person reads it in Russian
    assert await _count(session_factory, FormSubmission) == 0
    assert await _count(session_factory, EventRegistration) == 0
    assert await _count(session_factory, Correspondent) == cards_before
    assert await messages_to(session_factory, 9102) == []


# --- volunteer ---------------------------------------------------------------------------------


async def test_volunteer_questionnaire_makes_a_candidate_with_skills_availability_and_tag(
    session_factory: Factory,
) -> None:
    availability = d.FieldDraft(
        "availability",
        "multichoice",
        "Когда можете помогать",
        options=[
            {"value": "weekends", "ru": "Выходные"},
            {"value": "mon_morning", "ru": "Понедельник утром"},
        ],
    )
    skills = d.FieldDraft("skills", "text", "Что умеете")
    form_id = await _form(
        session_factory, "help", FormPurpose.VOLUNTEER, [NAME, skills, availability], tags="друзья"
    )
    await _chat(session_factory, 9201)
    result = await _answer(
        session_factory,
        form_id,
        {"name": "Вера", "skills": "Экскурсии, фотосъёмка", "availability": ["weekends", "mon_morning"]},
        telegram_id=9201,
    )
    async with session_factory() as session:
        volunteer = await volunteers.of_correspondent(session, result.correspondent.id)
        assert volunteer is not None
        assert volunteer.status == VolunteerStatus.CANDIDATE
        assert volunteer.skills == ["Экскурсии", "фотосъёмка"]
        assert volunteer.availability == {
            "mon": ["morning"],
            "sat": ["morning", "afternoon", "evening"],
            "sun": ["morning", "afternoon", "evening"],
        }
        assert volunteer.submission_id == result.submission.id
        assert set(await tags.tags_of(session, result.correspondent.id)) == {"друзья", volunteers.TAG}


# --- application -------------------------------------------------------------------------------


async def test_application_form_makes_a_numbered_application_and_tells_the_reviewers(
    session_factory: Factory,
) -> None:
    async with session_factory() as session:
        setup = await make_setup(session, tg_base=9300)
        type_id, reviewers = setup.kind.id, (setup.first.telegram_id, setup.second.telegram_id)
        await session.commit()
    fields = [
        NAME,
        d.FieldDraft("title", "text", "Объект", required=True),
        d.FieldDraft("organisation", "text", "Организация"),
        d.FieldDraft("summary", "textarea", "Описание"),
        EMAIL,
    ]
    form_id = await _form(
        session_factory, "status", FormPurpose.APPLICATION, fields, application_type_id=type_id
    )
    answers = {
        "name": "Иван Петров",
        "title": "Паровоз Эу-684",
        "organisation": "Музей железной дороги",
        "summary": "Паровоз 1912 года, на ходу.",
    }
    await _chat(session_factory, 9311)
    by_bot = await _answer(session_factory, form_id, answers, telegram_id=9311)
    by_web = await _answer(session_factory, form_id, {**answers, "email": "ivan@example.org"})

    async with session_factory() as session:
        rows = (await session.scalars(select(Application).order_by(Application.id))).all()
    assert [a.submission_id for a in rows] == [by_bot.submission.id, by_web.submission.id]
    first, second = rows
    assert first.number.startswith("З-") and first.number != second.number
    assert first.status == ApplicationStatus.IN_REVIEW
    assert (first.title, first.applicant_org) == ("Паровоз Эу-684", "Музей железной дороги")
    assert (first.telegram_id, second.email) == (9311, "ivan@example.org")
    for reviewer in reviewers:
        cards = [m for m in await _outbox(session_factory, reviewer) if first.number in m.payload["text"]]
        assert len(cards) == 1 and _buttons(cards[0]) == [ru("⭐ Review")]
        assert ru("A new application to review") in cards[0].payload["text"]
    # The applicant is told the number where the application came from.
    told = [m.payload["text"] for m in await _outbox(session_factory, 9311)]
    assert any(first.number in text for text in told)
    letters = await letters_to(session_factory, "ivan@example.org")
    assert any(second.number in (letter.subject + letter.body) for letter in letters)


async def test_an_application_through_the_personal_web_link_is_answered_in_the_chat(
    session_factory: Factory,
) -> None:
    """The bot's personal web link proves the Telegram id: without an e-mail on the page, the chat is
    where the applicant hears of the application (and later of the decision), and «My applications»
    in the bot lists it."""
    async with session_factory() as session:
        setup = await make_setup(session, tg_base=9600)
        type_id = setup.kind.id
        await session.commit()
    fields = [NAME, d.FieldDraft("title", "text", "Объект", required=True)]
    form_id = await _form(
        session_factory, "status-web", FormPurpose.APPLICATION, fields, application_type_id=type_id
    )
    await _chat(session_factory, 9611)
    async with session_factory() as session:
        version = (await privacy_consent.current(session, privacy_consent.ACTIVITIES)).version
        result = await submit(
            session,
            SubmissionInput(
                form_id=form_id,
                channel=SubmissionChannel.WEB,
                answers={"name": "Иван Петров", "title": "Маяк 1898 года"},
                consent_version=version,
                telegram_id=9611,  # verified from the link's signature by the public page
                dedup_key="web-link-1",
                notify=CTX,
            ),
        )
        assert result.ok
        await session.commit()
    async with session_factory() as session:
        application = await session.scalar(select(Application))
        assert application is not None and application.channel == SubmissionChannel.WEB
        assert [a.id for a in await application_queries.of_applicant(session, 9611)] == [application.id]
    told = [m.payload["text"] for m in await _outbox(session_factory, 9611)]
    assert len(told) == 1 and application.number in told[0]
    assert ru("Your application is received") in told[0]


# --- consent to mailings -----------------------------------------------------------------------


async def test_subscription_form_asks_to_confirm_in_the_chat_and_by_mail(session_factory: Factory) -> None:
    form_id = await _form(
        session_factory,
        "news",
        FormPurpose.SUBSCRIPTION,
        [d.FieldDraft("email", "email", "Эл. почта", maps_to="email")],
        tags="новости",
    )
    await _chat(session_factory, 9401)
    in_bot = await _answer(session_factory, form_id, {}, telegram_id=9401)
    on_web = await _answer(session_factory, form_id, {"email": "olga@example.org"})

    for result, channel in ((in_bot, "telegram"), (on_web, "web")):
        consent = await _consent(session_factory, result.correspondent.id)
        assert consent is not None and consent.status == MailingConsentStatus.PENDING
        assert consent.channel == channel
    [ask] = await _outbox(session_factory, 9401)
    assert ask.payload["text"] == ru(mailing_consent.ASK_TEXT)
    assert _buttons(ask) == [ru(mailing_consent.CONFIRM_BUTTON), ru(mailing_consent.DECLINE_BUTTON)]
    [letter] = await letters_to(session_factory, "olga@example.org")
    assert letter.subject == ru(mailing_consent.MAIL_SUBJECT)
    assert "https://panel.example.org/m/confirm/" in letter.body
    # Nothing confirmed yet: a mailing reaches nobody of the two until they press or follow the link.
    assert not await _confirmed(session_factory, in_bot.correspondent.id)
    assert not await _confirmed(session_factory, on_web.correspondent.id)


async def _confirmed(factory: Factory, card_id: int) -> bool:
    async with factory() as session:
        return await mailing_consent.has_confirmed(session, card_id)


@pytest.mark.parametrize("ticked", [True, False])
async def test_a_general_forms_mailing_box_asks_only_when_ticked(
    session_factory: Factory, ticked: bool
) -> None:
    form_id = await _form(
        session_factory,
        "kids",
        FormPurpose.GENERAL,
        [
            NAME,
            EMAIL,
            d.FieldDraft("news", "consent", "Присылайте мне новости музея", rules={"mailing": True}),
            d.FieldDraft("rules", "consent", "Согласен с правилами", required=True),
        ],
    )
    await _chat(session_factory, 9501)
    box = {"news": "1"} if ticked else {}
    in_bot = await _answer(session_factory, form_id, {"name": "Маша", "rules": "1", **box}, telegram_id=9501)
    on_web = await _answer(
        session_factory, form_id, {"name": "Саша", "rules": "1", "email": "sasha@example.org", **box}
    )
    bot_consent = await _consent(session_factory, in_bot.correspondent.id)
    web_consent = await _consent(session_factory, on_web.correspondent.id)
    asks = await _outbox(session_factory, 9501)
    letters = await letters_to(session_factory, "sasha@example.org")
    if ticked:
        assert bot_consent is not None and bot_consent.status == MailingConsentStatus.PENDING
        assert web_consent is not None and web_consent.status == MailingConsentStatus.PENDING
        assert [_buttons(m) for m in asks] == [
            [ru(mailing_consent.CONFIRM_BUTTON), ru(mailing_consent.DECLINE_BUTTON)]
        ]
        assert len(letters) == 1 and "/m/confirm/" in letters[0].body
    else:
        # The other consent (the rules) is not a consent to mailings: nobody is asked.
        assert (bot_consent, web_consent, asks, letters) == (None, None, [], [])


async def test_a_ticked_mailing_box_without_any_contact_keeps_the_answer(session_factory: Factory) -> None:
    """A web visitor ticks «send me news» on a form that has no e-mail field: nowhere to send the
    confirmation, so nobody is asked — but the answer is kept, and the card's history says why."""
    form_id = await _form(
        session_factory,
        "quiz",
        FormPurpose.GENERAL,
        [NAME, d.FieldDraft("news", "consent", "Присылайте мне новости музея", rules={"mailing": True})],
    )
    result = await _answer(session_factory, form_id, {"name": "Гость", "news": "1"})
    assert result.ok and result.submission is not None and result.submission.answers["news"] is True
    assert await _consent(session_factory, result.correspondent.id) is None
    async with session_factory() as session:
        note = await session.scalar(
            select(AuditEvent.reason).where(
                AuditEvent.entity_type == "form_submission",
                AuditEvent.entity_id == result.submission.id,
                AuditEvent.action == "mailing_consent_not_asked",
            )
        )
    assert note == "no chat or e-mail"
