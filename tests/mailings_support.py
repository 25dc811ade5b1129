"""Shared pieces of the mailings tests: people of a segment with or without consent and a chat,
a manager with a login and a linked Telegram, a tiny photo, a mailing composed through the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Correspondent, CorrespondentTag, Mailing, MailingConsent, Segment, TelegramAccount, User
from models.enums import MailingConsentStatus
from services.audit import Actor
from services.mailings import drafts
from services.staff import create_user
from tests.web.test_assignments_http import tiny_png

TAG = "музей"
MANAGER_LOGIN = "rassylki"
MANAGER_PASSWORD = "correct-horse-battery-mail"
_ids = itertools.count(780_000_001)


def next_telegram_id() -> int:
    return next(_ids)


@dataclass
class Person:
    correspondent_id: int
    telegram_id: int | None


async def make_segment(
    factory: async_sessionmaker[AsyncSession], name: str = "Друзья музея", *, consent: str | None = None
) -> int:
    """A segment of the tag's cards; ``consent`` «any» takes them with or without a consent (by
    default a segment asks for a confirmed one)."""
    filters: dict[str, object] = {"tags": {"any": [TAG]}}
    if consent is not None:
        filters["consent"] = consent
    async with factory() as session:
        segment = Segment(name=name, filters=filters)
        session.add(segment)
        await session.commit()
        return segment.id


async def make_person(
    factory: async_sessionmaker[AsyncSession],
    name: str,
    *,
    telegram_id: int | None = None,
    consent: str | None = MailingConsentStatus.CONFIRMED,
    tag: str = TAG,
) -> Person:
    """A CRM card with the segment's tag, a chat with the bot (when ``telegram_id``) and a consent."""
    async with factory() as session:
        person = Correspondent(name=name, name_search=name.casefold(), telegram_id=telegram_id)
        session.add(person)
        await session.flush()
        session.add(CorrespondentTag(correspondent_id=person.id, tag=tag))
        if telegram_id is not None:
            session.add(
                TelegramAccount(
                    id=telegram_id, chat_id=telegram_id, first_name=name, correspondent_id=person.id
                )
            )
        if consent is not None:
            session.add(MailingConsent(correspondent_id=person.id, status=consent, channel="telegram"))
        await session.commit()
        return Person(person.id, telegram_id)


async def make_manager(factory: async_sessionmaker[AsyncSession], telegram_id: int | None = None) -> int:
    """A manager who signs in to the panel and whose own Telegram chat is linked (for tests to self)."""
    async with factory() as session:
        user = await create_user(
            session,
            Actor.system("test"),
            full_name="Смирнова Ольга Петровна",
            roles=["manager"],
            login=MANAGER_LOGIN,
            password=MANAGER_PASSWORD,
        )
        if telegram_id is not None:
            user.telegram_id = telegram_id
            session.add(
                TelegramAccount(id=telegram_id, chat_id=telegram_id, first_name="Ольга", user_id=user.id)
            )
        await session.commit()
        return user.id


async def compose(
    factory: async_sessionmaker[AsyncSession],
    files_dir: Path,
    user_id: int,
    segment_id: int,
    *,
    title: str = "Ночь музеев",
    body: str = "<b>Ночь музеев</b> — 18 мая, вход свободный.",
    photo: bool = True,
    buttons: list[tuple[str, str]] | None = None,
) -> int:
    async with factory() as session:
        user = await session.get(User, user_id)
        assert user is not None
        upload = (
            await drafts.store_upload(session, user, files_dir, tiny_png(), "afisha.png") if photo else None
        )
        mailing = await drafts.save(
            session,
            user,
            drafts.DraftInput(
                title=title,
                body=body,
                segment_id=segment_id,
                buttons=buttons
                if buttons is not None
                else [("Программа", "https://museum.example.ru/night")],
            ),
            upload=upload,
        )
        await session.commit()
        return mailing.id


async def get_mailing(factory: async_sessionmaker[AsyncSession], mailing_id: int) -> Mailing:
    async with factory() as session:
        mailing = await session.get(Mailing, mailing_id)
        assert mailing is not None
        return mailing
