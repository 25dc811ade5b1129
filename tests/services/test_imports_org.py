"""Importing departments and staff: dry run, real run, idempotent re-run, external-id update,
cp1251 CSV, XLSX, rejected rows with translated reasons; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, User
from tests.services.imports_support import reasons, run, write_csv, write_xlsx

DEPARTMENTS = [
    ["Наименование", "Краткое наименование", "Вышестоящее", "Код"],
    ["Администрация", "Адм", "", "D-1"],
    ["Отдел ЖКХ", "ЖКХ", "Администрация", "D-2"],
    ["Отдел культуры", "", "D-1", "D-3"],  # parent by external id
    ["Отдел снабжения", "", "Нет такого", "D-4"],  # row 5: unknown parent
]
STAFF = [
    ["Role", "login", "Full name", "E-mail", "Department", "External id", "Comment"],
    ["исполнитель", "ivanov", "Иванов Иван", "ivanov@example.ru", "ЖКХ", "S-1", "x"],
    ["Контролёр; исполнитель", "petrova", "Петрова Анна", "", "D-3", "S-2", ""],
    ["волшебник", "sidorov", "Сидоров", "", "", "S-3", ""],  # row 4: unknown role
    ["исполнитель", "Кузнецов", "Кузнецов", "", "", "S-4", ""],  # row 5: Cyrillic login
    ["исполнитель", "orlov", "Орлов", "не почта", "", "S-5", ""],  # row 6: bad e-mail
    ["исполнитель", "frolov", "Фролов", "", "Бухгалтерия", "S-6", ""],  # row 7: unknown department
    ["исполнитель", "", "", "", "", "S-7", ""],  # row 8: no name
]


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_departments_cp1251_dry_run_then_run(session: AsyncSession, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", DEPARTMENTS, encoding="cp1251")
    dry = await run(session, "departments", path, dry_run=True, chunk_rows=2)  # parents across chunks
    assert (dry.created, dry.updated, dry.unchanged) == (3, 0, 0)
    assert reasons(dry) == [(5, "Неизвестный вышестоящий отдел «Нет такого».")]
    assert await _count(session, Department) == 0
    real = await run(session, "departments", path, chunk_rows=2)
    assert (real.created, len(real.rejected)) == (3, 1)
    depts = {d.name: d for d in (await session.scalars(select(Department))).all()}
    assert depts["Отдел культуры"].parent_id == depts["Администрация"].id
    assert depts["Отдел ЖКХ"].external_id == "D-2"
    again = await run(session, "departments", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    renamed = write_csv(
        tmp_path / "d2.csv", [DEPARTMENTS[0], ["Управление ЖКХ", "УЖКХ", "", "D-2"]], delimiter=","
    )
    update = await run(session, "departments", renamed)
    assert (update.created, update.updated) == (0, 1)
    session.expunge_all()
    assert (
        await session.scalar(select(Department).where(Department.external_id == "D-2"))
    ).name == "Управление ЖКХ"


async def test_staff_xlsx_rejections_and_external_id_update(session: AsyncSession, tmp_path: Path) -> None:
    await run(session, "departments", write_csv(tmp_path / "d.csv", DEPARTMENTS))
    path = write_xlsx(tmp_path / "staff.xlsx", STAFF)
    dry = await run(session, "staff", path, dry_run=True)
    assert dry.format == "xlsx" and (dry.created, dry.rows) == (2, 7)
    assert [row for row, _ in reasons(dry)] == [4, 5, 6, 7, 8]
    assert reasons(dry)[0] == (4, "Неизвестная роль «волшебник».")
    assert reasons(dry)[4] == (8, "Не заполнен столбец «ФИО».")
    assert await _count(session, User) == 0
    real = await run(session, "staff", path)
    assert real.created == 2 and len(real.created_user_ids) == 2
    users = {u.login: u for u in (await session.scalars(select(User))).all()}
    assert users["petrova"].roles == {"controller", "executor"}
    assert users["ivanov"].telegram_id is None and users["ivanov"].password_hash is None
    again = await run(session, "staff", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    roles = write_csv(
        tmp_path / "r.csv", [["ФИО", "Логин", "Роли"], ["Петрова Анна", "petrova", "исполнитель, диспетчер"]]
    )
    assert (await run(session, "staff", roles)).updated == 1
    session.expunge_all()
    petrova = await session.scalar(select(User).where(User.login == "petrova"))
    assert petrova is not None and petrova.roles == {"executor", "dispatcher"}
    changed = write_csv(
        tmp_path / "s.csv",
        [
            ["ФИО", "Должность", "Табельный номер", "Логин"],
            ["Иванов Иван Петрович", "Главный инженер", "S-1", "ivanov2"],
        ],
    )
    update = await run(session, "staff", changed)
    assert (update.created, update.updated) == (0, 1)
    session.expunge_all()
    ivanov = await session.scalar(select(User).where(User.external_id == "S-1"))
    assert (ivanov.full_name, ivanov.position, ivanov.login) == (
        "Иванов Иван Петрович",
        "Главный инженер",
        "ivanov2",
    )


async def test_missing_required_column_is_refused(session: AsyncSession, tmp_path: Path) -> None:
    from services.errors import InvalidInput

    path = write_csv(tmp_path / "x.csv", [["Должность"], ["Инженер"]])
    try:
        await run(session, "staff", path)
    except InvalidInput as exc:
        assert exc.params == {"columns": "«ФИО» (Full name)"}
    else:
        raise AssertionError("a table without the name column must be refused")
