"""``porucheno import classifier FILE [--dry-run]``: the classifier from the command line, all or
nothing, with the bad lines listed and exit code 2."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import ClassifierEntry
from models.db import create_engine
from porucheno.cli import main
from porucheno.demo_seed import DEMO_CLASSIFIER


async def _entries(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            query = select(func.count()).select_from(ClassifierEntry).where(ClassifierEntry.is_active)
            return int((await conn.execute(query)).scalar_one())
    finally:
        await engine.dispose()


def test_cli_loads_the_classifier_all_or_nothing(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORUCHENO_DATABASE_URL", database_url)
    monkeypatch.setenv("PORUCHENO_LOCALE", "ru")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["import", "classifier", str(DEMO_CLASSIFIER), "--dry-run"]) == 0
    assert "Проверка: ничего не записано." in capsys.readouterr().out
    assert asyncio.run(_entries(database_url)) == 0

    assert main(["import", "classifier", str(DEMO_CLASSIFIER)]) == 0
    assert "новых 47" in capsys.readouterr().out
    assert asyncio.run(_entries(database_url)) == 47

    bad = tmp_path / "bad.csv"
    bad.write_text("code;name\n0001;Раздел\n0001.0001.0001.0001;Без родителей\n", encoding="cp1251")
    assert main(["import", "classifier", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "Строка 3: Родителя 0001.0001.0001 для 0001.0001.0001.0001 нет в файле." in out
    assert asyncio.run(_entries(database_url)) == 47  # untouched
