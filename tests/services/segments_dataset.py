"""A hand-made audience of fifteen people for the segment tests (services and panel).

Each person is written out with what the filters look at; the tests list the expected members of
each filter combination by name, worked out by hand from this table — not computed by the code
under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Appeal,
    Building,
    Category,
    Correspondent,
    CorrespondentTag,
    EventRegistration,
    Form,
    FormSubmission,
    MailingConsent,
    MuseumEvent,
    PdErasure,
    Subscription,
    TelegramAccount,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass
class Person:
    name: str
    tags: tuple[str, ...] = ()
    forms: tuple[tuple[str, int], ...] = ()  # (form key, days ago)
    attended: tuple[str, ...] = ()
    registered: tuple[str, ...] = ()  # registered, not attended
    cancelled: tuple[str, ...] = ()
    appeals: tuple[tuple[str, int], ...] = ()  # (category key, days ago)
    subscriptions: tuple[str, ...] = ()  # building keys
    telegram_seen: int | None = None  # days ago; None: no Telegram
    telegram_blocked: bool = False
    link: str = "both"  # how the account is linked: both | account | card
    email: str | None = None
    consent: str | None = None
    merged: bool = False
    erased: bool = False


PEOPLE = [
    Person(
        "Аверина Анна",
        ("дети", "родители"),
        (("kids", 10),),
        attended=("e1",),
        telegram_seen=2,
        email="anna@example.org",
        consent="confirmed",
    ),
    Person(
        "Белов Борис", ("дети",), (("kids", 100),), registered=("e1",), telegram_seen=200, consent="pending"
    ),
    Person(
        "Волкова Вера",
        ("волонтёр",),
        (("vol", 5),),
        attended=("e2",),
        telegram_seen=1,
        email="vera@example.org",
        consent="confirmed",
    ),
    Person(
        "Григорьев Глеб",
        ("волонтёр", "дети"),
        appeals=(("roads", 20),),
        telegram_seen=20,
        telegram_blocked=True,
        email="gleb@example.org",
        consent="confirmed",
    ),
    Person("Дмитриева Дарья", forms=(("news", 3),), email="darya@example.org", consent="confirmed"),
    Person("Егоров Егор", ("родители",), attended=("e1",), telegram_seen=50, consent="confirmed"),
    Person(
        "Жукова Жанна",
        ("дети",),
        (("kids", 15),),
        telegram_seen=15,
        email="zh@example.org",
        consent="withdrawn",
    ),
    Person("Зайцев Захар", subscriptions=("lenina",), telegram_seen=100, link="account", consent="confirmed"),
    Person(
        "Иванова Ирина",
        subscriptions=("mira",),
        appeals=(("culture", 400),),
        telegram_seen=400,
        email="ira@example.org",
        consent="confirmed",
    ),
    Person("Козлов Кирилл", ("дети",), telegram_seen=1, consent="confirmed", merged=True),
    Person("Лебедева Лидия", ("дети",), telegram_seen=1, consent="confirmed", erased=True),
    Person("Морозов Максим", email="max@example.org"),
    Person(
        "Никитина Нина",
        ("волонтёр",),
        (("vol", 200),),
        cancelled=("e2",),
        telegram_seen=200,
        consent="confirmed",
    ),
    Person(
        "Орлов Олег",
        appeals=(("roads", 2),),
        subscriptions=("lenina",),
        telegram_seen=2,
        link="card",
        consent="confirmed",
    ),
    Person(
        "Петрова Полина", ("дети", "волонтёр"), (("news", 40),), email="polina@example.org", consent="pending"
    ),
]


@dataclass
class Dataset:
    ids: dict[str, int] = field(default_factory=dict)  # person name → correspondent id
    forms: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    buildings: dict[str, int] = field(default_factory=dict)
    chats: dict[str, int] = field(default_factory=dict)  # person name → chat id

    def names(self, ids: list[int] | set[int]) -> set[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return {by_id[i] for i in ids}


async def build(session: AsyncSession) -> Dataset:
    data = Dataset()
    forms = {
        "kids": Form(slug="kids", title_ru="Запись в Университет детей", programme="Университет детей"),
        "news": Form(slug="news", title_ru="Подписка на новости"),
        "vol": Form(slug="vol", title_ru="Анкета волонтёра", programme="Волонтёры"),
    }
    events = {
        "e1": MuseumEvent(
            title="Лекция о динозаврах", programme="Университет детей", starts_at=NOW - timedelta(days=30)
        ),
        "e2": MuseumEvent(title="Ночь музеев", starts_at=NOW - timedelta(days=20)),
    }
    categories = {
        "roads": Category(code="roads", name_ru="Дороги", name_en="Roads"),
        "culture": Category(code="culture", name_ru="Культура", name_en="Culture"),
    }
    buildings = {
        "lenina": Building(street="ул. Ленина", street_key="ленина", house="5", house_key="5"),
        "mira": Building(street="ул. Мира", street_key="мира", house="10", house_key="10"),
    }
    session.add_all([*forms.values(), *events.values(), *categories.values(), *buildings.values()])
    await session.flush()
    data.forms = {k: v.id for k, v in forms.items()}
    data.events = {k: v.id for k, v in events.items()}
    data.categories = {k: v.id for k, v in categories.items()}
    data.buildings = {k: v.id for k, v in buildings.items()}
    first_id: int | None = None
    seq = 0
    for n, p in enumerate(PEOPLE, start=1):
        tg = 7000 + n if p.telegram_seen is not None else None
        card = Correspondent(
            name=p.name,
            name_search=p.name.casefold(),
            email=p.email,
            telegram_id=tg if p.link in ("both", "card") else None,
            created_at=NOW - timedelta(days=500),
        )
        session.add(card)
        await session.flush()
        data.ids[p.name] = card.id
        first_id = first_id or card.id
        if p.merged:
            card.merged_into_id = first_id
        if p.erased:
            session.add(PdErasure(correspondent_id=card.id))
        if tg is not None:
            session.add(
                TelegramAccount(
                    id=tg,
                    chat_id=tg,
                    first_name=p.name.split()[1],
                    correspondent_id=card.id if p.link in ("both", "account") else None,
                    blocked_at=NOW - timedelta(days=1) if p.telegram_blocked else None,
                    last_seen_at=NOW - timedelta(days=p.telegram_seen or 0),
                    created_at=NOW - timedelta(days=500),
                )
            )
            data.chats[p.name] = tg
            await session.flush()
        session.add_all(CorrespondentTag(correspondent_id=card.id, tag=t) for t in p.tags)
        for key, days in p.forms:
            session.add(
                FormSubmission(
                    form_id=data.forms[key],
                    correspondent_id=card.id,
                    channel="web",
                    created_at=NOW - timedelta(days=days),
                )
            )
        for keys, attended, status in (
            (p.attended, True, "registered"),
            (p.registered, None, "registered"),
            (p.cancelled, None, "cancelled"),
        ):
            for key in keys:
                session.add(
                    EventRegistration(
                        event_id=data.events[key],
                        correspondent_id=card.id,
                        status=status,
                        attended=attended,
                        created_at=NOW - timedelta(days=60),
                    )
                )
        for key, days in p.appeals:
            seq += 1
            session.add(
                Appeal(
                    reg_year=2026,
                    reg_seq=seq,
                    reg_number=f"T-{seq}",
                    channel="web",
                    correspondent_id=card.id,
                    category_id=data.categories[key],
                    text="…",
                    registered_at=NOW - timedelta(days=days),
                    due_at=NOW + timedelta(days=30),
                )
            )
        for key in p.subscriptions:
            session.add(Subscription(telegram_id=tg, building_id=data.buildings[key]))
        if p.consent:
            session.add(
                MailingConsent(
                    correspondent_id=card.id,
                    status=p.consent,
                    channel="web",
                    requested_at=NOW - timedelta(days=90),
                )
            )
    await session.commit()
    return data
