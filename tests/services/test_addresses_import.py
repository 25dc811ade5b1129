"""Importing the address registry from CSV (encodings, delimiters) and XLSX, on both backends."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Building
from porucheno.i18n import gettext
from services.addresses.importer import ImportReport, import_buildings
from services.audit import Actor
from services.errors import InvalidInput

ACTOR = Actor.system("test-import")
HEADERS = {
    "ru": ["Улица", "Дом", "Широта", "Долгота", "Социальный", "Тип объекта", "Название", "Примечание"],
    "en": ["street", "house", "lat", "lon", "social", "social_type", "name", "comment"],
}
# Row 1 is the header. Rows 5-11 are bad, row 12 is blank (skipped silently).
ROWS: list[list[str]] = [
    ["ул. Ленина", "5", "55,7558", "37,6173", "нет", "", "", "угловой"],
    ["ул. Ленина", "д. 9 корп. 1", "", "", "", "", "", ""],
    ["пр-т Мира", "10 А", "55.76", "37.62", "да", "Школа", "Школа № 3", ""],
    ["", "7", "", "", "", "", "", ""],
    ["ул. Ленина", "абв", "", "", "", "", "", ""],
    ["ул. Ленина", "11", "95", "37", "", "", "", ""],
    ["ул. Ленина", "13", "", "", "", "цирк", "", ""],
    ["Ленина", "5", "", "", "", "", "", ""],
    ["ул. Ленина", "15", "", "", "может быть", "", "", ""],
    ["ул. Ленина", "17", "55.75", "", "", "", "", ""],
    ["", "", "", "", "", "", "", ""],
    ["Советская ул.", "1", "", "", "", "Больница", "Районная больница", ""],
    ["ул. Набережная", "2", "", "", "", "", "", ""],
]
BAD_COORDINATES = (
    "Bad coordinates (%(lat)s, %(lon)s): latitude must be between -90 and 90, longitude between -180 and 180."
)
EXPECTED_REJECTED = [
    (5, "No street."),
    (6, 'Cannot read the house number "%(value)s".'),
    (7, BAD_COORDINATES),
    (8, 'Unknown social object type "%(value)s".'),
    (9, "Duplicate of row %(row)d."),
    (10, 'Cannot read "%(value)s" in the "social" column: use yes or no.'),
    (11, BAD_COORDINATES),
]


def csv_bytes(rows: list[list[str]], *, encoding: str, delimiter: str, lang: str = "ru") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADERS[lang])
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], header: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


async def registry(session: AsyncSession) -> dict[str, Building]:
    buildings = (await session.scalars(select(Building))).all()
    return {f"{b.street_key} {b.house_key}": b for b in buildings}


def assert_good_rows_imported(report: ImportReport, db: dict[str, Building]) -> None:
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert [(r.row, r.reason) for r in report.rejected] == EXPECTED_REJECTED
    assert sorted(db) == ["ленина 5", "ленина 9к1", "мира 10а", "набережная 2", "советская 1"]
    lenina5 = db["ленина 5"]
    assert (lenina5.street, lenina5.house, lenina5.house_number) == ("ул. Ленина", "5", 5)
    assert (lenina5.latitude, lenina5.longitude) == (pytest.approx(55.7558), pytest.approx(37.6173))
    assert (lenina5.is_social, lenina5.kind, lenina5.social_type) == (False, "residential", None)
    assert (db["ленина 9к1"].house, db["ленина 9к1"].house_number, db["ленина 9к1"].latitude) == (
        "9к1",
        9,
        None,
    )
    school = db["мира 10а"]
    assert (school.is_social, school.kind, school.social_type, school.name) == (
        True,
        "social",
        "school",
        "Школа № 3",
    )
    hospital = db["советская 1"]
    assert (hospital.street, hospital.is_social, hospital.social_type) == ("Советская ул.", True, "hospital")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", ","])
async def test_csv_import_with_good_and_bad_rows(
    session: AsyncSession, encoding: str, delimiter: str
) -> None:
    lang = "en" if delimiter == "," else "ru"
    data = csv_bytes(ROWS, encoding=encoding, delimiter=delimiter, lang=lang)
    report = await import_buildings(session, data, actor=ACTOR, filename="дома.csv")
    assert report.format == "csv"
    assert_good_rows_imported(report, await registry(session))


async def test_rejection_reasons_are_translated(session: AsyncSession) -> None:
    report = await import_buildings(session, csv_bytes(ROWS, encoding="utf-8", delimiter=";"), actor=ACTOR)
    texts = {r.row: r.text() for r in report.rejected}
    assert texts[5] == "Не указана улица."
    assert texts[6] == "Не удалось разобрать номер дома «абв»."
    assert texts[7] == (
        "Неверные координаты (95, 37): широта должна быть от -90 до 90, долгота — от -180 до 180."
    )
    assert texts[8] == "Неизвестный тип социального объекта «цирк»."
    assert texts[9] == "Повторяет строку 2."
    assert texts[10] == "Не удалось прочитать «может быть» в столбце «социальный»: укажите «да» или «нет»."
    assert texts[11] == (
        "Неверные координаты (55.75, —): широта должна быть от -90 до 90, долгота — от -180 до 180."
    )
    assert report.rejected[4].text("en") == "Duplicate of row 2."


async def test_xlsx_import_with_numbers_in_cells(session: AsyncSession, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["ул. Ленина", 5, 55.7558, 37.6173, "нет", None, None],
        ["ул. Ленина", "д. 9 корп. 1", None, None, None, None, None],
        ["пр-т Мира", "10 А", 55.76, 37.62, 1, "школа", "Школа № 3"],
        [None, 7, None, None, None, None, None],
        ["ул. Ленина", "абв", None, None, None, None, None],
        ["ул. Ленина", 11.0, 95, 37, None, None, None],
        ["ул. Ленина", 13, None, None, None, "цирк", None],
        ["Ленина", 5.0, None, None, None, None, None],
        ["ул. Ленина", 15, None, None, "может быть", None, None],
        ["ул. Ленина", 17, 55.75, None, None, None, None],
        [None, None, None, None, None, None, None],
        ["Советская ул.", 1, None, None, None, "больница", "Районная больница"],
        ["ул. Набережная", "2", None, None, "", None, None],
    ]
    path = tmp_path / "registry.xlsx"
    path.write_bytes(
        xlsx_bytes(rows, ["Улица", "Дом", "Широта", "Долгота", "Социальный", "Тип_объекта", "Название"])
    )
    report = await import_buildings(session, path, actor=ACTOR)
    assert report.format == "xlsx"
    assert_good_rows_imported(report, await registry(session))


async def test_an_address_column_instead_of_street_and_house(session: AsyncSession) -> None:
    data = (
        "Адрес;Тип\n"
        "ул. Ленина, д. 5к1;жилой\n"
        "г. Энск, Советская ул., д. 1, стр. 2;нежилой\n"
        "непонятно;\n"
        "Мира 1;замок\n"
    )
    report = await import_buildings(session, data.encode(), actor=ACTOR)
    assert report.created == 2
    assert [(r.row, r.reason, r.params) for r in report.rejected] == [
        (4, 'Cannot read the address "%(value)s".', {"value": "непонятно"}),
        (5, 'Unknown building type "%(value)s".', {"value": "замок"}),
    ]
    db = await registry(session)
    assert (db["ленина 5к1"].street, db["ленина 5к1"].kind) == ("ул. Ленина", "residential")
    assert (db["советская 1с2"].house_number, db["советская 1с2"].kind) == (1, "commercial")


async def test_reimport_updates_instead_of_duplicating(session: AsyncSession) -> None:
    # A building already in the registry (as the demo seed adds them) is updated, not duplicated.
    session.add(Building(street="ул. Ленина", street_key="ленина", house="7", house_key="7", house_number=7))
    await session.flush()
    first = "улица;дом;широта;долгота\nул. Ленина;5;55.1;37.1\nул. Ленина;7;;\nпр-т Мира;10а;55.2;37.2\n"
    report = await import_buildings(session, first.encode(), actor=ACTOR)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 1)

    # Again, with the keys spelt differently, new coordinates for one house, none for another.
    second = (
        "улица;дом;широта;долгота;социальный;название\n"
        "ЛЕНИНА;д. 5;55.3;37.3;;\n"
        "Мира проспект;10 А;;;да;Котельная № 2\n"
        "ул. Ленина;7;;;;\n"
    )
    report = await import_buildings(session, second.encode("cp1251"), actor=ACTOR)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 2, 1, [])
    db = await registry(session)
    assert len(db) == 3
    assert (db["ленина 5"].street, db["ленина 5"].latitude, db["ленина 5"].longitude) == (
        "ЛЕНИНА",
        55.3,
        37.3,
    )
    mira = db["мира 10а"]
    # An empty cell leaves what the registry knows; «да» makes it social.
    assert (mira.latitude, mira.longitude, mira.is_social, mira.kind, mira.name) == (
        55.2,
        37.2,
        True,
        "social",
        "Котельная № 2",
    )
    assert await session.scalar(select(func.count()).select_from(Building)) == 3


async def test_one_audit_event_per_import(session: AsyncSession) -> None:
    await import_buildings(
        session, csv_bytes(ROWS, encoding="utf-8", delimiter=";"), actor=ACTOR, filename="a.csv"
    )
    events = (await session.scalars(select(AuditEvent))).all()
    assert len(events) == 1
    event = events[0]
    assert (event.entity_type, event.action, event.actor_label) == ("building", "imported", "test-import")
    assert event.data == {
        "format": "csv",
        "filename": "a.csv",
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 7,
    }


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", None, "The file is empty."),
        (b"  \r\n\r\n", None, "The file is empty."),
        (b";;;\r\n;;\r\n", None, "The file is empty."),
        ("улица;дом\n".encode(), None, "The table has no rows below its header."),
        (
            "город;население\nЭнск;1000\n".encode(),
            None,
            "The table has no street and house columns (or an address column).",
        ),
        (b"\x00\x01\x02\x03binary\xff\xfe", None, "The file is not a CSV or XLSX table."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "The file is not a CSV or XLSX table."),
        (b"\x98\x98\x98;\x98", None, "Cannot read the file's text. Save it as CSV in UTF-8 or Windows-1251."),
        (b"PK\x03\x04garbage that is no zip", None, "The file is not a valid XLSX workbook."),
        ("улица;дом\nЛенина;5\n".encode(), "registry.xlsx", "The file is not a valid XLSX workbook."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "old.xls",
            "This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.",
        ),
    ],
)
async def test_unreadable_files_are_refused_clearly(
    session: AsyncSession, data: bytes, filename: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await import_buildings(session, data, actor=ACTOR, filename=filename)
    assert caught.value.message == message
    assert gettext("ru", message, **caught.value.params) != message  # there is a Russian text for it
    assert await session.scalar(select(func.count()).select_from(Building)) == 0
    assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_a_zip_that_is_not_a_workbook(session: AsyncSession) -> None:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "not a spreadsheet")
    with pytest.raises(InvalidInput) as caught:
        await import_buildings(session, buf.getvalue(), actor=ACTOR, filename="registry.xlsx")
    assert caught.value.message == "The file is not a valid XLSX workbook."


async def test_utf16_text_from_excel(session: AsyncSession) -> None:
    data = "улица\tдом\nул. Ленина\t5\n".encode("utf-16")
    report = await import_buildings(session, data, actor=ACTOR)
    assert report.created == 1
