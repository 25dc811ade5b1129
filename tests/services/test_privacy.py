"""Personal data (152-FZ) in the services: a person's export and erasure round trip, the retention
job with a frozen clock, the consent text's versions."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    Appeal,
    AuditEvent,
    ConsentRecord,
    Correspondent,
    OutboxMessage,
    PdErasure,
    StoredFile,
    User,
)
from models.enums import AppealStatus, Role
from scheduler.privacy_jobs import pd_retention
from services import correspondents, outbox, staff
from services.appeals.intake import ContactInput, IncomingFile
from services.appeals.labels import APPEAL_CHANNEL_LABELS, APPEAL_STATUS_LABELS
from services.audit import Actor
from services.config import org_card
from services.config.org_card import Letterhead
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.messengers import MAX_OFFSET
from services.privacy import consent, erasure, export
from tests.services.appeals_helpers import PNG, SYSTEM, add_account, register

NOW = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
PHONE = "+7 916 123-45-67"


async def clerk(session: AsyncSession) -> User:
    user = await staff.create_user(session, SYSTEM, full_name="Секретарь", roles=[Role.CLERK])
    await session.commit()
    return user


async def person_with_appeal(session: AsyncSession, files_dir: Path, *, now: datetime = NOW) -> Appeal:
    await add_account(session, 5005)
    result = await register(
        session,
        files_dir,
        text="Прошу отремонтировать крыльцо.",
        contact=ContactInput(
            name="Петрова Мария",
            phone=PHONE,
            email="maria@example.ru",
            telegram_id=5005,
            postal_address="ул. Садовая, 1, кв. 2",
            phone_proven=True,
        ),
        contact_phone=PHONE,
        files=[IncomingFile(data=PNG, filename="Петрова_паспорт.png")],
        now=now,
    )
    await consent.current(session)
    await consent.log(
        session,
        consent.ConsentEntry(
            channel="telegram",
            version=1,
            telegram_id=5005,
            correspondent_id=result.appeal.correspondent_id,
            appeal_id=result.appeal.id,
        ),
        now=now,
    )
    await session.commit()
    return result.appeal


MOSCOW = ZoneInfo("Europe/Moscow")
READER = export.Reader("ru", MOSCOW)  # the organisation's zone; the panel's language


def read_zip(content: bytes) -> tuple[dict, str, list[dict], list[str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        data = json.loads(z.read("data.json"))
        profile = z.read("profile.txt").decode()
        rows = list(csv.DictReader(io.StringIO(z.read("appeals.csv").decode("utf-8-sig"))))
        names = z.namelist()
    return data, profile, rows, names


async def test_export_then_erase_then_export_again(session: AsyncSession, tmp_path: Path) -> None:
    appeal = await person_with_appeal(session, tmp_path)
    user = await clerk(session)
    person_id = appeal.correspondent_id
    assert person_id is not None

    _c, content = await export.export_zip(session, user, person_id, tmp_path, READER)
    data, profile, rows, names = read_zip(content)
    assert data["profile"]["name"] == "Петрова Мария" and data["profile"]["email"] == "maria@example.ru"
    assert "ФИО: Петрова Мария" in profile and "Телефон: +7 916 123-45-67" in profile
    assert [r["Регистрационный номер"] for r in rows] == [appeal.reg_number]
    assert rows[0]["Текст"] == "Прошу отремонтировать крыльцо."
    # For the person: the organisation's wall clock, not UTC with microseconds (the JSON keeps UTC).
    registered = appeal.registered_at.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")
    assert rows[0]["Зарегистрировано"] == registered
    assert data["appeals"][0]["registered_at"] == appeal.registered_at.astimezone(UTC).isoformat()
    assert [(c["channel"], c["consent_version"], c["decision"]) for c in data["consents"]] == [
        ("telegram", 1, "given")
    ]
    # The person reads words, not the JSON's codes.
    assert "Тип: Гражданин" in profile
    assert ": согласие дано, Обращения (59-ФЗ) (Telegram, редакция текста 1)" in profile
    assert "given" not in profile and data["consents"][0]["purpose"] == "appeals"
    assert (rows[0]["Канал"], rows[0]["Статус"]) == (
        export.gettext("ru", APPEAL_CHANNEL_LABELS[appeal.channel]),
        export.gettext("ru", APPEAL_STATUS_LABELS[appeal.status]),
    )
    assert rows[0]["Статус"] != appeal.status and rows[0]["Канал"] != appeal.channel
    [png_name] = [n for n in names if n.startswith("files/")]
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert z.read(png_name) == PNG  # the person's own file, as sent
    assert (await correspondents.search(session, "916 123"))[0].id == person_id

    with pytest.raises(InvalidInput):
        await erasure.erase_on_request(session, user, person_id, "   ")
    done = await erasure.erase_on_request(session, user, person_id, "Запрос № 15 от 01.06.2031")
    await session.commit()
    assert done.appeals == 1

    _c, content = await export.export_zip(session, user, person_id, tmp_path, READER)
    data, profile, rows, _names = read_zip(content)
    assert data["profile"]["name"] == erasure.ERASED_ON_REQUEST
    assert data["profile"]["phone"] is None and data["profile"]["email"] is None
    assert data["profile"]["postal_address"] is None and data["profile"]["telegram_id"] is None
    # Not a bare "916": a time in the profile may contain those digits.
    assert "Петрова" not in profile and "916 123" not in profile and "123-45-67" not in profile
    assert "maria@example.ru" not in profile
    # The official record stays: number, text; the contacts given with it are gone.
    assert rows[0]["Регистрационный номер"] == appeal.reg_number
    assert rows[0]["Текст"] == "Прошу отремонтировать крыльцо."
    assert rows[0]["Контактный телефон"] == "" and rows[0]["Эл. почта для связи"] == ""
    assert data["files"][0]["name"].startswith("file-") and "Петрова" not in data["files"][0]["name"]

    assert await correspondents.search(session, "916 123") == []
    assert await correspondents.search(session, "maria@example.ru") == []
    assert await correspondents.search(session, "Петрова") == []
    events = (
        await session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "correspondent", AuditEvent.entity_id == person_id
            )
        )
    ).all()
    erased = [e for e in events if e.action == "pd_erased"]
    assert len(erased) == 1 and erased[0].actor_user_id == user.id
    assert erased[0].reason == "Запрос № 15 от 01.06.2031"
    assert [e.action for e in events].count("pd_exported") == 2
    [record] = (await session.scalars(select(ConsentRecord))).all()
    assert record.telegram_id is None and record.consent_version == 1  # the decision stays, not the link
    stored = await session.scalar(select(StoredFile).where(StoredFile.appeal_id == appeal.id))
    assert stored is not None and stored.uploaded_by_telegram_id is None

    with pytest.raises(InvalidInput):  # twice: refused
        await erasure.erase_on_request(session, user, person_id, "ещё раз")


async def test_a_department_clerk_may_not_export_or_erase(session: AsyncSession, tmp_path: Path) -> None:
    appeal = await person_with_appeal(session, tmp_path)
    dept = await staff.create_department(session, SYSTEM, "Отдел благоустройства")
    scoped = await staff.create_user(
        session, SYSTEM, full_name="Отдел", roles=[Role.CLERK], department_id=dept.id
    )
    await session.commit()
    assert appeal.correspondent_id is not None
    with pytest.raises(PermissionDenied):
        await export.export_zip(session, scoped, appeal.correspondent_id, tmp_path, READER)
    with pytest.raises(PermissionDenied):
        await erasure.erase_on_request(session, scoped, appeal.correspondent_id, "Запрос")


async def test_retention_anonymises_people_whose_appeals_are_long_finished(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with session_factory() as s:
        old = await person_with_appeal(s, tmp_path, now=NOW - timedelta(days=2000))
        old.status, old.answered_at = AppealStatus.ANSWERED, NOW - timedelta(days=1900)
        recent = await register(
            s,
            tmp_path,
            contact=ContactInput(name="Сидоров Олег", phone="+7 903 000-11-22"),
            now=NOW - timedelta(days=2000),
        )
        recent.appeal.status, recent.appeal.answered_at = AppealStatus.CLOSED, NOW - timedelta(days=100)
        still_open = await register(
            s,
            tmp_path,
            contact=ContactInput(name="Козлов Иван", phone="+7 903 000-33-44"),
            now=NOW - timedelta(days=3000),
        )
        await s.commit()
        ids = (old.correspondent_id, recent.appeal.correspondent_id, still_open.appeal.correspondent_id)

    assert (await pd_retention(session_factory, 0, now=NOW)).erased == []  # 0: off
    first = await pd_retention(session_factory, 1825, now=NOW)
    assert first.erased == [ids[0]]
    again = await pd_retention(session_factory, 1825, now=NOW + timedelta(days=1))
    assert again.erased == []  # idempotent
    async with session_factory() as s:
        names = {c.id: c.name for c in (await s.scalars(select(Correspondent))).all()}
        assert names[ids[0]] == erasure.ERASED_BY_RETENTION
        assert names[ids[1]] == "Сидоров Олег" and names[ids[2]] == "Козлов Иван"
        [row] = (await s.scalars(select(PdErasure))).all()
        assert row.by_retention and row.erased_by_id is None and row.erased_at == NOW
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "pd_erased"))
        assert event is not None and event.actor_label == "retention" and event.entity_id == ids[0]
    # A hundred days later than the closed one's term, the second person goes too.
    later = await pd_retention(session_factory, 1825, now=NOW + timedelta(days=1826 - 100))
    assert later.erased == [ids[1]]


async def test_consent_versions(session: AsyncSession) -> None:
    first = await consent.current(session)
    assert first.version == 1 and "59-ФЗ" in first.text_ru
    user = await clerk(session)
    with pytest.raises(PermissionDenied):
        await consent.publish(session, user, "Текст")
    admin = await staff.create_user(session, SYSTEM, full_name="Админ", roles=[Role.ADMIN])
    with pytest.raises(InvalidInput):
        await consent.publish(session, admin, "  ")
    second = await consent.publish(session, admin, "Новый текст", "New text")
    await session.commit()
    assert (await consent.current(session)).version == second.version == 2
    assert [v.version for v in await consent.versions(session)] == [2, 1]
    assert (await consent.by_version(session, 1)) is not None and not first.is_current


async def test_each_purpose_has_its_own_text_and_versions(session: AsyncSession) -> None:
    """152-FZ art. 9: the events / forms consent is not the appeals one, and versions are per purpose."""
    appeals = await consent.current(session, consent.APPEALS)
    activities = await consent.current(session, consent.ACTIVITIES)
    assert (appeals.version, activities.version) == (1, 1) and appeals.id != activities.id
    assert "59-ФЗ" in appeals.text_ru and "обращени" in appeals.text_ru
    assert "59-ФЗ" not in activities.text_ru and "обращени" not in activities.text_ru.lower()
    assert "мероприяти" in activities.text_ru and "152-ФЗ" in activities.text_ru
    # No card yet: a neutral operator; the channel follows where the person is.
    shown = consent.text_in(activities, "ru", "max")
    assert "Оператор персональных данных: организация, предоставляющая этот сервис." in shown
    assert "учётной записи в MAX" in shown and "мессенджер MAX" in shown and "Telegram" not in shown
    assert "Telegram" in consent.text_in(activities, "ru", "telegram")
    web = consent.text_in(activities, "ru", "web")
    assert "IP-адреса" in web and "Telegram" not in web and "MAX" not in web
    assert "{" not in consent.text_in(activities, "en", None)
    admin = await staff.create_user(session, SYSTEM, full_name="Админ", roles=[Role.ADMIN])
    await org_card.save_card(
        session, Actor(user_id=admin.id), Letterhead(name="МБУК «Краеведческий музей»", short_name="Музей")
    )
    activities = await consent.current(session, consent.ACTIVITIES)
    assert "Оператор персональных данных: МБУК «Краеведческий музей»." in consent.text_in(
        activities, "ru", "max"
    )
    # Publishing one purpose leaves the other alone.
    second = await consent.publish(session, admin, "Согласие на запись, ред. 2", purpose=consent.ACTIVITIES)
    assert (second.purpose, second.version) == (consent.ACTIVITIES, 2)
    assert (await consent.current(session, consent.APPEALS)).version == 1
    assert [v.version for v in await consent.versions(session, consent.ACTIVITIES)] == [2, 1]
    assert [v.version for v in await consent.versions(session, consent.APPEALS)] == [1]
    # A decision names its purpose; consenting to one purpose is not consenting to the other.
    await consent.log(
        session,
        consent.ConsentEntry(
            channel="telegram", version=2, telegram_id=MAX_OFFSET + 77, purpose=consent.ACTIVITIES
        ),
    )
    [row] = (await session.scalars(select(ConsentRecord))).all()
    assert (row.purpose, row.consent_version, row.channel) == (consent.ACTIVITIES, 2, "max")
    assert await consent.telegram_consented(session, MAX_OFFSET + 77, 2, consent.ACTIVITIES)
    assert not await consent.telegram_consented(session, MAX_OFFSET + 77, 1)
    with pytest.raises(NotFound):  # appeals has no version 2
        await consent.log(session, consent.ConsentEntry(channel="web", version=2))


async def test_erasure_blanks_the_notices_sent_to_the_person(session: AsyncSession, tmp_path: Path) -> None:
    """The notices in the person's chat quoted their appeal and address: after the erasure the
    delivery record stays (status, batch) without the text, and a queued one is not sent. Other
    chats (a colleague's work notice) keep theirs."""
    appeal = await person_with_appeal(session, tmp_path)
    user = await clerk(session)
    colleague = await staff.create_user(session, SYSTEM, full_name="Исполнитель", telegram_id=7007)
    quoted = f"Ваше обращение {appeal.reg_number}: «Прошу отремонтировать крыльцо», ул. Садовая, 1"
    await outbox.enqueue_many(
        session,
        [
            outbox.text_message(5005, quoted, dedup_key="erasure-test:sent"),
            outbox.text_message(5005, quoted + " — ответ готов", dedup_key="erasure-test:queued"),
            outbox.text_message(
                colleague.telegram_id or 0, "Поручение: крыльцо", dedup_key="erasure-test:staff"
            ),
        ],
        batch="erasure-test",
    )
    sent = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == "erasure-test:sent"))
    assert sent is not None
    await outbox.mark_sent(session, sent.id, 42)
    await session.commit()

    assert appeal.correspondent_id is not None
    await erasure.erase_on_request(session, user, appeal.correspondent_id, "Запрос № 16 от 02.06.2031")
    await session.commit()

    rows = {
        m.dedup_key: m
        for m in (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.batch == "erasure-test"))
        ).all()
    }
    await session.refresh(rows["erasure-test:sent"])
    await session.refresh(rows["erasure-test:queued"])
    assert rows["erasure-test:sent"].payload == {} and rows["erasure-test:sent"].status == "sent"
    assert rows["erasure-test:sent"].cleared_at is not None  # the nightly clearing skips it
    assert rows["erasure-test:queued"].payload == {} and rows["erasure-test:queued"].status == "dropped"
    leftovers = (await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 5005))).all()
    assert all("крыльцо" not in str(m.payload) for m in leftovers)
    assert rows["erasure-test:staff"].payload["text"] == "Поручение: крыльцо"
    assert rows["erasure-test:staff"].status == "pending"
