"""Importing correspondents, historic appeals and open assignments: unproven contacts, original
registration numbers, no notifications, external-id updates; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Assignment, Category, Correspondent, MailOutbox, OutboxMessage
from services.appeals.numbering import insert_numbered
from tests.services.imports_support import reasons, run, write_csv, write_xlsx

CORRESPONDENTS = [
    ["ФИО", "Тип", "Телефон", "Эл. почта", "Почтовый адрес", "ИНН", "Код"],
    ["Петров Пётр", "гражданин", "8 (916) 123-45-67", "Petrov@Mail.RU", "ул. Ленина, 5", "", "C-1"],
    ["ООО «Ромашка»", "организация", "", "info@romashka.ru", "", "7701234567", "C-2"],
    ["Сидорова Анна", "", "+7 916 765 43 21", "", "", "", ""],  # no external id: matched by name + phone
    ["Плохой телефон", "", "12", "", "", "", "C-4"],  # row 5
    ["Плохой ИНН", "организация", "", "", "", "123", "C-5"],  # row 6
    ["Неизвестный вид", "инопланетянин", "", "", "", "", "C-6"],  # row 7
]


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_correspondents_unproven_idempotent_and_updated(session: AsyncSession, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", CORRESPONDENTS, encoding="utf-8-sig", delimiter=",")
    dry = await run(session, "correspondents", path, dry_run=True)
    assert (dry.created, [r for r, _ in reasons(dry)]) == (3, [5, 6, 7])
    assert reasons(dry)[1] == (6, "ИНН «123» должен состоять из 10 или 12 цифр.")
    assert await _count(session, Correspondent) == 0
    real = await run(session, "correspondents", path)
    assert real.created == 3
    people = {c.name: c for c in (await session.scalars(select(Correspondent))).all()}
    petrov = people["Петров Пётр"]
    assert (petrov.phone_normalized, petrov.email) == ("+79161234567", "petrov@mail.ru")
    assert not petrov.phone_proven and not petrov.email_proven
    assert people["ООО «Ромашка»"].kind == "organisation"
    again = await run(session, "correspondents", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    moved = write_csv(
        tmp_path / "c2.csv", [CORRESPONDENTS[0], ["Петров Пётр Ильич", "", "", "", "ул. Мира, 1", "", "C-1"]]
    )
    update = await run(session, "correspondents", moved)
    assert (update.created, update.updated) == (0, 1)
    session.expunge_all()
    petrov = await session.scalar(select(Correspondent).where(Correspondent.external_id == "C-1"))
    assert (petrov.name, petrov.postal_address, petrov.phone_normalized) == (
        "Петров Пётр Ильич",
        "ул. Мира, 1",
        "+79161234567",
    )


APPEALS = [
    [
        "Рег. номер",
        "Дата регистрации",
        "Код корреспондента",
        "Заявитель",
        "Телефон",
        "Категория",
        "Текст",
        "Адрес",
        "Статус",
        "Ответ",
        "Дата ответа",
    ],
    [
        "2024-000123",
        "15.03.2024",
        "C-1",
        "",
        "",
        "roads",
        "Яма у дома",
        "ул. Ленина, 5",
        "",
        "Заделали.",
        "01.04.2024",
    ],
    [
        "123/2019-П",
        datetime(2019, 5, 6, 10, 30),
        "",
        "Новиков Олег",
        "+7 916 000 11 22",
        "",
        "Шум",
        "",
        "в работе",
        "",
        "",
    ],
    ["2024-000124", "15.03.2024", "", "", "", "нет-такой", "Текст", "", "", "", ""],  # row 4
    ["2024-000125", "32.13.2024", "", "", "", "", "Текст", "", "", "", ""],  # row 5: bad date
    ["2024-000126", "15.03.2024", "", "", "", "", "Текст", "", "", "Ответ без даты", ""],  # row 6
]


async def test_appeals_keep_numbers_and_notify_nobody(session: AsyncSession, tmp_path: Path) -> None:
    session.add(Category(code="roads", name_ru="Дороги", name_en="Roads", answer_days=30))
    await session.commit()
    await run(session, "correspondents", write_csv(tmp_path / "c.csv", CORRESPONDENTS))
    path = write_xlsx(tmp_path / "a.xlsx", APPEALS)
    dry = await run(session, "appeals", path, dry_run=True)
    assert dry.created == 2 and [r for r, _ in reasons(dry)] == [4, 5, 6]
    assert reasons(dry)[0] == (4, "Неизвестный код темы «нет-такой».")
    real = await run(session, "appeals", path)
    assert real.created == 2
    appeals = {a.reg_number: a for a in (await session.scalars(select(Appeal))).all()}
    first = appeals["2024-000123"]
    assert (first.reg_year, first.reg_seq, first.status) == (2024, 123, "answered")
    assert first.registered_at == datetime(2024, 3, 14, 21, 0, tzinfo=UTC)  # midnight in Moscow
    assert first.answer_text == "Заделали." and first.category_id is not None
    # No term in the file: 30 days on the production calendar, as at intake. Day 30 is Sunday
    # 14 April 2024, so the term ends on the Friday before.
    assert first.due_at == datetime(2024, 4, 11, 21, 0, tzinfo=UTC)
    old = appeals["123/2019-П"]
    assert (old.reg_year, old.reg_seq < 0, old.status) == (2019, True, "in_work")
    assert old.due_at == datetime(2019, 6, 5, 7, 30, tzinfo=UTC)  # a Wednesday: not moved
    newcomer = await session.get(Correspondent, old.correspondent_id)
    assert newcomer is not None and newcomer.name == "Новиков Олег" and not newcomer.phone_proven
    petrov = await session.get(Correspondent, first.correspondent_id)
    assert petrov is not None and petrov.external_id == "C-1" and petrov.appeals_count == 1
    assert await _count(session, OutboxMessage) == 0 and await _count(session, MailOutbox) == 0
    again = await run(session, "appeals", path)
    assert (again.created, again.unchanged) == (0, 2)
    # New registrations continue after the imported number in 2024 and are not disturbed in 2019.
    fresh = Appeal(channel="paper", text="x", registered_at=first.registered_at, due_at=first.due_at)
    await insert_numbered(session, fresh, 2024)
    assert fresh.reg_number == "2024-000124"


ASSIGNMENTS = [
    ["Внешний код", "Поручение", "Исполнитель", "Срок", "Номер обращения", "Статус", "Приоритет"],
    ["A-1", "Заделать яму", "ivanov", "30.06.2024 18:00", "2024-000123", "в работе", "высокий"],
    ["A-2", "Проверить освещение", "ivanov@example.ru", "01.07.2024", "", "", ""],
    ["A-3", "Кто-то", "nobody", "01.07.2024", "", "", ""],  # row 4
    ["A-4", "Закрытое", "ivanov", "01.07.2024", "", "исполнено", ""],  # row 5: not an open state
    ["A-5", "Нет срока", "ivanov", "", "", "", ""],  # row 6
    ["A-6", "Чужое обращение", "ivanov", "01.07.2024", "1999-000001", "", ""],  # row 7
]


async def test_assignments_without_notices(session: AsyncSession, tmp_path: Path) -> None:
    session.add(Category(code="roads", name_ru="Дороги", name_en="Roads", answer_days=30))
    await session.commit()
    staff = [["ФИО", "Логин", "E-mail", "Код"], ["Иванов Иван", "ivanov", "ivanov@example.ru", "S-1"]]
    await run(session, "staff", write_csv(tmp_path / "s.csv", staff))
    await run(session, "correspondents", write_csv(tmp_path / "c.csv", CORRESPONDENTS))
    await run(session, "appeals", write_xlsx(tmp_path / "a.xlsx", APPEALS))
    path = write_csv(tmp_path / "t.csv", ASSIGNMENTS)
    dry = await run(session, "assignments", path, dry_run=True)
    assert [r for r, _ in reasons(dry)] == [4, 5, 6, 7], reasons(dry)
    assert dry.created == 2
    assert await _count(session, Assignment) == 0
    real = await run(session, "assignments", path)
    assert real.created == 2
    tasks = {a.external_id: a for a in (await session.scalars(select(Assignment))).all()}
    assert tasks["A-1"].status == "in_progress" and tasks["A-1"].priority == "high"
    assert tasks["A-1"].appeal_id is not None and tasks["A-1"].executor_id == tasks["A-2"].executor_id
    assert await _count(session, OutboxMessage) == 0
    later = write_csv(
        tmp_path / "t2.csv", [ASSIGNMENTS[0], ["A-2", "Проверить освещение", "S-1", "15.07.2024", "", "", ""]]
    )
    update = await run(session, "assignments", later)
    assert (update.created, update.updated) == (0, 1)
    again = await run(session, "assignments", path)
    assert again.created == 0
