"""The ``buildings-gar`` kind calls services.addresses.gar.import_gar (replaced here by a fake, so this
test does not depend on the ГАР reader) and turns its result into the common report."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import InvalidInput
from services.imports.gar import run_gar
from tests.services.imports_support import ACTOR


@dataclass
class FakeResult:
    created: int = 3
    updated: int = 1
    unchanged: int = 2
    skipped: int = 10
    rejected: list[tuple[str, str]] = field(default_factory=lambda: [("AS_HOUSES.XML:HOUSE 7", "no number")])


@pytest.fixture
def fake_gar(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    async def import_gar(session: AsyncSession, source: Path, **kwargs: Any) -> FakeResult:
        calls.append({"source": source, **kwargs})
        return FakeResult()

    module = types.ModuleType("services.addresses.gar")
    module.import_gar = import_gar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "services.addresses.gar", module)
    return calls


async def test_gar_result_becomes_the_report(session: AsyncSession, tmp_path: Path, fake_gar: list) -> None:
    report = await run_gar(session, tmp_path / "region.zip", oktmo="46701000", dry_run=True, actor=ACTOR)
    assert fake_gar[0]["oktmo"] == "46701000" and fake_gar[0]["dry_run"] is True
    assert (report.created, report.updated, report.unchanged, report.rows) == (3, 1, 2, 17)
    assert [r.text("ru") for r in report.rejected] == ["AS_HOUSES.XML:HOUSE 7: no number"]


async def test_gar_needs_an_oktmo(session: AsyncSession, tmp_path: Path, fake_gar: list) -> None:
    with pytest.raises(InvalidInput):
        await run_gar(session, tmp_path, oktmo="4670", dry_run=True, actor=ACTOR)
    assert fake_gar == []
