"""``porucheno import KIND FILE [--dry-run]``: the report on stdout and the exit code."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Building, Department
from models.db import create_engine
from porucheno.cli import main
from tests.services.imports_support import write_csv

ROWS = [
    ["Наименование", "Код"],
    ["Администрация", "D-1"],
    ["", "D-2"],  # row 3: no name
]


async def _departments(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(Department))).scalar_one())
    finally:
        await engine.dispose()


def test_cli_dry_run_real_run_and_exit_codes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORUCHENO_DATABASE_URL", database_url)
    monkeypatch.setenv("PORUCHENO_LOCALE", "ru")
    assert main(["db", "upgrade"]) == 0
    path = write_csv(tmp_path / "d.csv", ROWS)
    capsys.readouterr()

    assert main(["import", "departments", str(path), "--dry-run"]) == 1  # a row was rejected
    out = capsys.readouterr().out
    assert "Проверка: ничего не записано." in out
    assert "создано: 1" in out and "Строка 3: Не заполнен столбец «Подразделение»." in out
    assert asyncio.run(_departments(database_url)) == 0

    assert main(["import", "departments", str(path)]) == 1
    assert "Импорт выполнен." in capsys.readouterr().out
    assert asyncio.run(_departments(database_url)) == 1

    clean = write_csv(tmp_path / "ok.csv", ROWS[:2])
    assert main(["import", "departments", str(clean)]) == 0
    assert "без изменений: 1" in capsys.readouterr().out

    assert main(["import", "departments", str(tmp_path / "missing.csv")]) == 2
    assert main(["import", "buildings-gar", str(clean), "--oktmo", "12"]) == 2  # OKTMO is checked first
    assert "ОКТМО" in capsys.readouterr().err


async def _gar_buildings(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            query = select(func.count()).select_from(Building).where(Building.fias_guid.is_not(None))
            return int((await conn.execute(query)).scalar_one())
    finally:
        await engine.dispose()


def test_cli_imports_the_municipality_from_a_gar_region(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.services.test_gar_import import OKTMO, write_region, zip_region

    monkeypatch.setenv("PORUCHENO_DATABASE_URL", database_url)
    monkeypatch.setenv("PORUCHENO_LOCALE", "ru")
    assert main(["db", "upgrade"]) == 0
    archive = zip_region(write_region(tmp_path / "gar"))
    capsys.readouterr()
    main(["import", "buildings-gar", str(archive), "--oktmo", OKTMO, "--dry-run"])
    assert "Проверка: ничего не записано." in capsys.readouterr().out
    assert asyncio.run(_gar_buildings(database_url)) == 0
    main(["import", "buildings-gar", str(archive), "--oktmo", OKTMO])
    out = capsys.readouterr().out
    assert "Импорт выполнен." in out
    created = asyncio.run(_gar_buildings(database_url))
    assert created > 0 and f"создано: {created}" in out
    main(["import", "buildings-gar", str(archive), "--oktmo", OKTMO])  # a re-run updates nothing
    assert "создано: 0" in capsys.readouterr().out
    assert asyncio.run(_gar_buildings(database_url)) == created


def test_cli_staff_import_writes_invite_links(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORUCHENO_DATABASE_URL", database_url)
    monkeypatch.setenv("PORUCHENO_BOT_USERNAME", "town_bot")
    assert main(["db", "upgrade"]) == 0
    staff = write_csv(tmp_path / "s.csv", [["ФИО", "Логин"], ["Иванов Иван", "ivanov"]])
    target = tmp_path / "invites.csv"
    assert main(["import", "staff", str(staff), "--invites", str(target)]) == 0
    text = target.read_bytes().decode("utf-8-sig")
    assert "Иванов Иван" in text and "https://t.me/town_bot?start=inv_" in text
    assert main(["import", "departments", str(staff), "--invites", str(target)]) == 2  # staff only
