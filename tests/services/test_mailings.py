"""Mailings in the services: what a draft may say, who receives it, a scheduled mailing started once
across two scheduler runs, a test that reaches only its sender, cancelling, and opt-out refusals."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    Correspondent,
    CorrespondentTag,
    Mailing,
    MailingConsent,
    MailingRecipient,
    OutboxMessage,
    Segment,
    TelegramAccount,
    User,
    utcnow,
)
from models.enums import MailingConsentStatus, MailingStatus
from porucheno.demo_mailings import seed_mailings
from porucheno.settings import Settings
from scheduler.mailings_jobs import mailings_tick
from services.audit import Actor
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.mailings import audience, content, drafts, optout, sending
from services.segments.query import count as segment_count
from services.segments.saved import filters_of
from services.staff import create_user
from services.streamed import PART
from tests.mailings_support import (
    TAG,
    compose,
    get_mailing,
    make_manager,
    make_person,
    make_segment,
    next_telegram_id,
)


async def _user(factory: async_sessionmaker[AsyncSession], user_id: int) -> User:
    async with factory() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


def test_body_keeps_telegram_tags_and_escapes_text() -> None:
    body = content.clean_body(
        '<b>Выставка</b> «Север» & <a href="https://m.example.ru/x">билеты</a><br>до 5 > 3', with_file=False
    )
    assert (
        body.html == '<b>Выставка</b> «Север» &amp; <a href="https://m.example.ru/x">билеты</a>\nдо 5 &gt; 3'
    )


@pytest.mark.parametrize(
    ("raw", "with_file", "message"),
    [
        ("<script>alert(1)</script>", False, "The tag <%(tag)s> is not supported by Telegram."),
        ("<b>жирный", False, "The tag <%(tag)s> is not closed."),
        ("<b><i>x</b></i>", False, "The tag </%(tag)s> closes nothing open; check the tags."),
        (
            '<a href="javascript:alert(1)">x</a>',
            False,
            "“%(url)s” is not a web address (http:// or https://).",
        ),
        ("", False, "Write the text of the mailing or attach a photo or a document."),
        ("<a>сайт</a>", False, 'A link <a> needs an address: <a href="https://…">.'),
    ],
)
def test_bad_bodies_are_refused(raw: str, with_file: bool, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        content.clean_body(raw, with_file=with_file)
    assert refused.value.message == message


def test_caption_limit_applies_only_with_a_file() -> None:
    text = "я" * 1025
    assert content.clean_body(text, with_file=False).length == 1025
    with pytest.raises(InvalidInput) as refused:
        content.clean_body(text, with_file=True)
    assert refused.value.params["limit"] == 1024 and refused.value.params["n"] == 1025
    with pytest.raises(InvalidInput) as refused:
        content.clean_body("<b>" + "я" * 4097 + "</b>", with_file=False)
    assert refused.value.params["limit"] == 4096
    # Tags do not count, an emoji counts twice (UTF-16), as Telegram counts.
    assert content.clean_body("<b>" + "я" * 1000 + "</b>", with_file=True).length == 1000
    assert content.clean_body("🎨" * 3, with_file=False).length == 6
    with pytest.raises(InvalidInput):  # a pasted megabyte is refused before it is parsed
        content.clean_body("<b>я</b>" * 100_000, with_file=False)


@pytest.mark.parametrize(
    "url",
    ["ftp://museum.ru/x", "museum.ru", "https://", "https://localhost/x", "https://m.ru/a b", "javascript:x"],
)
def test_bad_button_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        content.clean_buttons([("Сайт", url)])


def test_buttons_need_both_halves_and_at_most_six() -> None:
    with pytest.raises(InvalidInput):
        content.clean_buttons([("Сайт", "")])
    pairs = [(f"Кнопка {n}", f"https://m.example.ru/{n}") for n in range(7)]
    with pytest.raises(InvalidInput):
        content.clean_buttons(pairs)
    assert len(content.clean_buttons([*pairs[:6], ("", "")])) == 6


async def test_save_refuses_a_long_caption_with_a_photo(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    manager = await make_manager(session_factory)
    segment = await make_segment(session_factory)
    with pytest.raises(InvalidInput):
        await compose(session_factory, settings.files_dir, manager, segment, body="я" * 1100, photo=True)
    mailing_id = await compose(
        session_factory, settings.files_dir, manager, segment, body="я" * 1100, photo=False
    )
    assert (await get_mailing(session_factory, mailing_id)).file_kind is None


async def test_recipients_need_consent_a_chat_and_no_block(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Recipients and the members left out add up to the segment's own size: a segment of confirmed
    subscribers leaves nobody out for want of consent, one of «any» consent counts them."""
    segment = await make_segment(session_factory, consent="any")
    subscribers = await make_segment(session_factory, "Подписчики")
    ok = await make_person(session_factory, "Иванова Мария", telegram_id=next_telegram_id())
    await make_person(
        session_factory, "Петров Пётр", telegram_id=next_telegram_id(), consent=MailingConsentStatus.PENDING
    )
    await make_person(session_factory, "Сидоров Олег", telegram_id=next_telegram_id(), consent=None)
    await make_person(session_factory, "Без Телеграма", telegram_id=None)
    blocked = await make_person(session_factory, "Заблокировал Бота", telegram_id=next_telegram_id())
    await make_person(session_factory, "Другой Сегмент", telegram_id=next_telegram_id(), tag="спорт")
    async with session_factory() as session:
        account = await session.get(TelegramAccount, blocked.telegram_id)
        assert account is not None
        account.blocked_at = utcnow()
        await session.commit()
        found = await audience.breakdown(session, segment)
        assert [r.correspondent_id for r in found.recipients] == [ok.correspondent_id]
        assert found.left_out == {audience.NO_CONSENT: 2, audience.NO_CHAT: 1, audience.BLOCKED: 1}
        assert await audience.recipients(session, segment) == found.recipients
        for segment_id in (segment, subscribers):
            spec = filters_of(await session.get_one(Segment, segment_id))
            assert (await audience.breakdown(session, segment_id)).members == await segment_count(
                session, spec
            )
        confirmed = await audience.breakdown(session, subscribers)
        assert confirmed.recipients == found.recipients
        assert confirmed.left_out == {audience.NO_CHAT: 1, audience.BLOCKED: 1}


async def test_a_scheduled_mailing_starts_once_across_two_runs(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    manager = await make_manager(session_factory)
    segment = await make_segment(session_factory)
    people = [
        await make_person(session_factory, f"Житель {n}", telegram_id=next_telegram_id()) for n in range(3)
    ]
    await make_person(session_factory, "Без согласия", telegram_id=next_telegram_id(), consent=None)
    mailing_id = await compose(session_factory, settings.files_dir, manager, segment)
    at = utcnow() + timedelta(hours=2)
    async with session_factory() as session:
        await sending.schedule(session, await session.get(User, manager), mailing_id, at)  # type: ignore[arg-type]
        await session.commit()
    assert await mailings_tick(session_factory) == []  # not due yet
    assert (await get_mailing(session_factory, mailing_id)).status == MailingStatus.SCHEDULED
    later = at + timedelta(minutes=1)
    assert await mailings_tick(session_factory, now=later) == [mailing_id]
    assert await mailings_tick(session_factory, now=later) == []
    mailing = await get_mailing(session_factory, mailing_id)
    assert (mailing.status, mailing.recipients_total, mailing.skipped_total) == (MailingStatus.SENDING, 3, 0)
    async with session_factory() as session:
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.batch == f"mailing:{mailing_id}"))
        ).all()
        assert sorted(r.chat_id for r in rows) == sorted(p.telegram_id for p in people)
        assert {r.method for r in rows} == {"sendPhoto"}
        keyboard = rows[0].payload["reply_markup"]["inline_keyboard"]
        assert keyboard[0] == [{"text": "Программа", "url": "https://museum.example.ru/night"}]
        assert keyboard[-1] == [{"text": "Отписаться", "callback_data": f"mlo:{mailing_id}"}]
        assert await session.scalar(select(func.count()).select_from(MailingRecipient)) == 3
        # «Send now» after the scheduler won is refused, not sent twice.
        with pytest.raises(InvalidInput):
            await sending.send_now(session, await session.get(User, manager), mailing_id)  # type: ignore[arg-type]


async def test_the_test_send_reaches_only_the_sender(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    own_chat = next_telegram_id()
    manager = await make_manager(session_factory, telegram_id=own_chat)
    segment = await make_segment(session_factory)
    await make_person(session_factory, "Житель", telegram_id=next_telegram_id())
    mailing_id = await compose(session_factory, settings.files_dir, manager, segment)
    async with session_factory() as session:
        await sending.test_send(session, await session.get(User, manager), mailing_id)  # type: ignore[arg-type]
        await sending.test_send(session, await session.get(User, manager), mailing_id)  # type: ignore[arg-type]
        await session.commit()
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        assert {r.chat_id for r in rows} == {own_chat} and len(rows) == 4  # a note and the message, twice
        assert rows[0].payload["text"] == "Проверка рассылки «Ночь музеев»"
        assert "reply_markup" in rows[1].payload and "mlo:" not in str(
            rows[1].payload
        )  # no opt-out on a test
        assert rows[1].priority < sending.MAILING_PRIORITY
    assert (await get_mailing(session_factory, mailing_id)).status == MailingStatus.DRAFT


async def test_a_test_needs_a_linked_telegram(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    manager = await make_manager(session_factory)
    mailing_id = await compose(
        session_factory, settings.files_dir, manager, await make_segment(session_factory)
    )
    async with session_factory() as session:
        with pytest.raises(InvalidInput):
            await sending.test_send(session, await session.get(User, manager), mailing_id)  # type: ignore[arg-type]


async def test_cancel_and_edit_rules(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    manager = await make_manager(session_factory)
    segment = await make_segment(session_factory)
    mailing_id = await compose(session_factory, settings.files_dir, manager, segment)
    async with session_factory() as session:
        user = await session.get(User, manager)
        assert user is not None
        with pytest.raises(InvalidInput):
            await sending.schedule(session, user, mailing_id, utcnow() - timedelta(hours=1))
        await sending.schedule(session, user, mailing_id, utcnow() + timedelta(days=1))
        await sending.cancel(session, user, mailing_id)
        await session.commit()
        with pytest.raises(InvalidInput):
            await sending.cancel(session, user, mailing_id)
        with pytest.raises(InvalidInput):
            await drafts.save(session, user, drafts.DraftInput("x", "y", segment), mailing_id=mailing_id)
    assert await mailings_tick(session_factory, now=utcnow() + timedelta(days=2)) == []


async def test_only_managers_and_clerks_compose(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        worker = await create_user(session, Actor.system(), full_name="Исполнитель", roles=["executor"])
        with pytest.raises(PermissionDenied):
            await drafts.save(session, worker, drafts.DraftInput("Анонс", "Текст", None))


async def test_opt_out_is_checked_against_the_recipients(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    manager = await make_manager(session_factory)
    segment = await make_segment(session_factory)
    person = await make_person(session_factory, "Житель", telegram_id=next_telegram_id())
    mailing_id = await compose(session_factory, settings.files_dir, manager, segment)
    async with session_factory() as session:
        await sending.send_now(session, await session.get(User, manager), mailing_id)  # type: ignore[arg-type]
        await session.commit()
        actor = Actor(telegram_id=999)
        with pytest.raises(PermissionDenied):
            await optout.opt_out(session, actor, mailing_id=mailing_id, chat_id=999)
        with pytest.raises(NotFound):
            await optout.opt_out(session, actor, mailing_id=mailing_id + 100, chat_id=person.telegram_id)  # type: ignore[arg-type]
        assert person.telegram_id is not None
        assert not (
            await optout.opt_out(session, actor, mailing_id=mailing_id, chat_id=person.telegram_id)
        ).already
        assert (
            await optout.opt_out(session, actor, mailing_id=mailing_id, chat_id=person.telegram_id)
        ).already
        await session.commit()
        consent = await session.scalar(
            select(MailingConsent).where(MailingConsent.correspondent_id == person.correspondent_id)
        )
        assert (
            consent is not None and consent.status == MailingConsentStatus.WITHDRAWN and consent.withdrawn_at
        )
        assert await audience.recipients(session, segment) == []


async def test_two_starters_at_once_queue_the_mailing_once(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """«Send now» pressed while the scheduler's run starts the same mailing: one wins, one is refused."""
    manager = await make_manager(session_factory)
    segment = await make_segment(session_factory)
    for n in range(3):
        await make_person(session_factory, f"Житель {n}", telegram_id=next_telegram_id())
    mailing_id = await compose(session_factory, settings.files_dir, manager, segment)
    at = utcnow() + timedelta(hours=1)
    async with session_factory() as session:
        await sending.schedule(session, await session.get(User, manager), mailing_id, at)  # type: ignore[arg-type]
        await session.commit()

    async def press() -> str:
        async with session_factory() as session:
            try:
                await sending.send_now(session, await session.get(User, manager), mailing_id)  # type: ignore[arg-type]
            except InvalidInput:
                return "refused"
            await session.commit()
            return "sent"

    results = await asyncio.gather(press(), mailings_tick(session_factory, now=at + timedelta(minutes=1)))
    started_by_job = results[1] == [mailing_id]
    assert (results[0] == "sent") != started_by_job
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
        assert await session.scalar(select(func.count()).select_from(MailingRecipient)) == 3


async def test_demo_seeds_a_draft_and_a_sent_mailing(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await make_manager(session_factory)
    segment = await make_segment(session_factory)
    person = await make_person(session_factory, "Гость музея", telegram_id=next_telegram_id())
    async with session_factory() as session:
        await seed_mailings(session, Actor.system("demo"), settings.tz, utcnow(), segment_id=segment)
        await session.commit()
        rows = (await session.scalars(select(Mailing).order_by(Mailing.id))).all()
        assert [(m.status, m.recipients_total) for m in rows] == [
            (MailingStatus.DRAFT, 0),
            (MailingStatus.SENDING, 1),
        ]
        queued = (await session.scalars(select(OutboxMessage))).all()
        assert [q.chat_id for q in queued] == [person.telegram_id]
        assert "Ночь музеев" in queued[0].payload["text"]


async def test_a_large_segment_is_read_a_part_at_a_time_and_nobody_is_missed(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """More members than one part holds (services/streamed.py): every part's consents, chats and
    blocks are looked up for that part, so each member is counted once and under the right reason."""
    size = 2 * PART + 57
    segment = await make_segment(session_factory, consent="any")
    async with session_factory() as session:
        people = [Correspondent(name=f"Участник {i:04}", name_search=f"участник {i:04}") for i in range(size)]
        session.add_all(people)
        await session.flush()
        blocked_at = utcnow()
        for i, person in enumerate(people):
            session.add(CorrespondentTag(correspondent_id=person.id, tag=TAG))
            if i % 7 != 0:  # every seventh has no chat with the bot
                chat = 7_000_000 + i
                person.telegram_id = chat
                session.add(
                    TelegramAccount(
                        id=chat,
                        chat_id=chat,
                        first_name=person.name,
                        correspondent_id=person.id,
                        blocked_at=blocked_at if i % 11 == 0 else None,
                    )
                )
            if i % 5 != 0:  # every fifth has not confirmed
                session.add(
                    MailingConsent(correspondent_id=person.id, status="confirmed", channel="telegram")
                )
        await session.commit()
        ids = [p.id for p in people]
        found = await audience.breakdown(session, segment)

    no_consent = [i for i in range(size) if i % 5 == 0]
    no_chat = [i for i in range(size) if i % 5 and i % 7 == 0]
    blocked = [i for i in range(size) if i % 5 and i % 7 and i % 11 == 0]
    expected = [ids[i] for i in range(size) if i % 5 and i % 7 and i % 11]
    assert [r.correspondent_id for r in found.recipients] == expected
    assert found.left_out == {
        audience.NO_CONSENT: len(no_consent),
        audience.NO_CHAT: len(no_chat),
        audience.BLOCKED: len(blocked),
    }
    assert found.members == size
