"""Loading the thematic classifier of appeals: CSV (UTF-8, Windows-1251, any delimiter) and XLSX,
all or nothing with every bad line reported by its number, re-loads that deactivate what a new
file no longer lists, administrators only; the demo subset is a valid file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, ClassifierEntry
from models.enums import Role
from porucheno.demo_seed import CATEGORY_CODES, DEMO_CLASSIFIER
from services import staff
from services.appeals import classifier
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied

SYSTEM = Actor.system("test")

GOOD = """code;name;parent
0005;Жилищно-коммунальная сфера;
0005.0005;Жилище;0005
0005.0005.0056;Коммунальное хозяйство;0005.0005
0005.0005.0056.1121;Холодное водоснабжение;0005.0005.0056
0005.0005.0056.1123;Отопление;0005.0005.0056
"""


async def _admin(session: AsyncSession) -> Actor:
    user = await staff.create_user(session, SYSTEM, full_name="Админ", roles=[Role.ADMIN])
    await session.commit()
    return Actor(user_id=user.id)


async def _entries(session: AsyncSession) -> dict[str, tuple[str, str | None, int, bool]]:
    rows = (await session.scalars(select(ClassifierEntry).order_by(ClassifierEntry.code))).all()
    return {e.code: (e.name, e.parent_code, e.level, e.is_active) for e in rows}


async def test_good_csv_loads_the_tree_and_is_audited_with_counts(session: AsyncSession) -> None:
    admin = await _admin(session)
    report = await classifier.load_file(session, GOOD.encode(), filename="ktk.csv", actor=admin)
    await session.commit()
    assert report.loaded and (report.created, report.updated, report.deactivated) == (5, 0, 0)
    assert await _entries(session) == {
        "0005": ("Жилищно-коммунальная сфера", None, 1, True),
        "0005.0005": ("Жилище", "0005", 2, True),
        "0005.0005.0056": ("Коммунальное хозяйство", "0005.0005", 3, True),
        "0005.0005.0056.1121": ("Холодное водоснабжение", "0005.0005.0056", 4, True),
        "0005.0005.0056.1123": ("Отопление", "0005.0005.0056", 4, True),
    }
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "classifier_loaded"))
    assert event is not None and event.actor_user_id == admin.user_id
    assert event.data is not None and (event.data["created"], event.data["rows"]) == (5, 5)
    assert await classifier.counts(session) == classifier.Counts(total=5, active=5, questions=2)
    found = await classifier.search(session, "отоп", questions_only=True)
    assert [e.code for e in found] == ["0005.0005.0056.1123"]
    assert [e.code for e in await classifier.search(session, "0005.0005.0056.11")] == [
        "0005.0005.0056.1121",
        "0005.0005.0056.1123",
    ]


async def test_a_bad_code_is_reported_by_line_and_nothing_is_loaded(session: AsyncSession) -> None:
    admin = await _admin(session)
    bad = GOOD + "0005.0005.56.1124;Водоотведение;\n0005.0005.0057.1141;Вывоз мусора;\n0005;Повтор;\n"
    report = await classifier.load_file(session, bad.encode(), filename="ktk.csv", actor=admin)
    assert not report.loaded
    assert [(e.line, e.params.get("code")) for e in report.errors] == [
        (7, "0005.0005.56.1124"),  # not four digits
        (8, "0005.0005.0057.1141"),  # its parent 0005.0005.0057 is not in the file
        (9, "0005"),  # repeated (first on line 2)
    ]
    assert report.errors[2].params["first"] == 2
    assert await _entries(session) == {}


async def test_cp1251_comma_separated_file_without_parent_column(session: AsyncSession) -> None:
    admin = await _admin(session)
    text = (
        "Код,Наименование\n0002,Социальная сфера\n0002.0006,Образование\n0002.0006.0062,Школы\n"
        '0002.0006.0062.0301,"Детский сад, очередь"\n'
    )
    report = await classifier.load_file(session, text.encode("cp1251"), filename="ktk.csv", actor=admin)
    await session.commit()
    assert report.loaded and report.created == 4 and report.format == "csv"
    assert (await _entries(session))["0002.0006.0062.0301"] == (
        "Детский сад, очередь",
        "0002.0006.0062",
        4,
        True,
    )


async def test_xlsx_loads_and_a_reload_deactivates_what_is_missing(session: AsyncSession) -> None:
    admin = await _admin(session)
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name"])
    for line in GOOD.splitlines()[1:]:
        code, name, _parent = line.split(";")
        sheet.append([code, name])
    buffer = io.BytesIO()
    book.save(buffer)
    report = await classifier.load_file(session, buffer.getvalue(), filename="ktk.xlsx", actor=admin)
    await session.commit()
    assert report.loaded and report.format == "xlsx" and report.created == 5

    # The next edition renames one question and drops another: kept, but no longer offered.
    second = GOOD.replace("Отопление", "Отопление, горячая вода").replace(
        "0005.0005.0056.1121;Холодное водоснабжение;0005.0005.0056\n", ""
    )
    report = await classifier.load_file(session, second.encode(), filename="ktk2.csv", actor=admin)
    await session.commit()
    assert (report.created, report.updated, report.unchanged, report.deactivated) == (0, 1, 3, 1)
    entries = await _entries(session)
    assert entries["0005.0005.0056.1121"] == ("Холодное водоснабжение", "0005.0005.0056", 4, False)
    assert entries["0005.0005.0056.1123"][0] == "Отопление, горячая вода"
    assert await classifier.question_code(session, "0005.0005.0056.1121") is None
    # ... and back when a later file lists it again.
    report = await classifier.load_file(session, GOOD.encode(), filename="ktk.csv", actor=admin)
    assert report.updated == 2 and (await _entries(session))["0005.0005.0056.1121"][3] is True


async def test_a_bad_line_in_xlsx_has_its_row_number(session: AsyncSession) -> None:
    admin = await _admin(session)
    book = Workbook()
    sheet = book.active
    sheet.append(["Код", "Наименование", "Родитель"])
    sheet.append(["0005", "ЖКХ", None])
    sheet.append(["0005.0005", "Жилище", "0004"])  # the parent column contradicts the code
    buffer = io.BytesIO()
    book.save(buffer)
    report = await classifier.load_file(session, buffer.getvalue(), filename="k.xlsx", actor=admin)
    assert [(e.line, e.params["expected"]) for e in report.errors] == [(3, "0005")]


async def test_only_an_administrator_loads_and_a_non_table_is_refused(session: AsyncSession) -> None:
    clerk = await staff.create_user(session, SYSTEM, full_name="Секретарь", roles=[Role.CLERK])
    await session.commit()
    with pytest.raises(PermissionDenied):
        await classifier.load_file(session, GOOD.encode(), filename="k.csv", actor=Actor(user_id=clerk.id))
    admin = await _admin(session)
    with pytest.raises(InvalidInput):
        await classifier.load_file(session, b"\x00\x01\x02binary", filename="k.csv", actor=admin)
    assert await _entries(session) == {}


def test_codes_are_normalised_and_the_demo_subset_is_a_valid_file() -> None:
    assert classifier.normalize_code("0005.0000.0000.0000") == "0005"
    assert classifier.normalize_code(" 0005.0005.0056.1123 ") == "0005.0005.0056.1123"
    assert classifier.normalize_code("5.5.56.1123") is None
    assert classifier.normalize_code("0005.0005.0056.1123.0001") is None
    report, lines = classifier.check_file(Path(DEMO_CLASSIFIER).read_bytes(), DEMO_CLASSIFIER.name)
    assert report.loaded and 30 <= len(lines) <= 60
    questions = {line.code for line in lines if classifier.level_of(line.code) == 4}
    assert set(CATEGORY_CODES.values()) <= questions
