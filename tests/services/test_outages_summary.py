"""Current summary, the outage log (durations, house-hours) and its XLSX export, on hand-made data."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from services.outages import export, lifecycle, summary
from tests.services.test_outages_lifecycle import CTX, NOW, World, create, seed
from tests.web.outages_support import OUTAGE_LOG_HEADER

H = timedelta(hours=1)


async def _data(session: AsyncSession) -> tuple[World, list[int]]:
    """A: hot water at Lenina 1, 3 and the school from NOW-1h; Lenina 3 dropped at +1h, the hospital
    added at +2h, resolved at +3h. B: heating at Lenina 1 and Mira 12 from NOW, still on.
    C: cold water at Lenina 3 and the school from NOW, still on. D: a draft (never counted)."""
    w = await seed(session)
    d = w.dispatcher
    a = await create(session, w, ["l1", "l3", "s5"])
    await lifecycle.publish(session, CTX, d, a, now=NOW)  # type: ignore[arg-type]
    await lifecycle.remove_buildings(session, CTX, d, a, [w.b["l3"]], now=NOW + H)  # type: ignore[arg-type]
    await lifecycle.add_buildings(session, CTX, d, a, [w.b["m10"]], now=NOW + 2 * H)  # type: ignore[arg-type]
    await lifecycle.resolve(session, CTX, d, a, NOW + 3 * H, now=NOW + 3 * H)  # type: ignore[arg-type]
    b = await create(session, w, ["l1", "m12"], resource="heating", starts_at=NOW, description="")
    await lifecycle.publish(session, CTX, d, b, now=NOW)  # type: ignore[arg-type]
    c = await create(session, w, ["l3", "s5"], resource="cold_water", starts_at=NOW, expected_end_at=None)
    await lifecycle.publish(session, CTX, d, c, now=NOW)  # type: ignore[arg-type]
    await create(session, w, ["m12"], resource="gas")
    return w, [a, b, c]


async def test_current_summary(session: AsyncSession) -> None:
    _w, (_a, b, c) = await _data(session)
    s = await summary.current_summary(session)
    per = {r.resource: r for r in s.resources}
    assert list(per) == ["cold_water", "hot_water", "heating", "electricity", "gas", "sewerage"]
    assert (per["hot_water"].houses, per["hot_water"].outages) == (0, [])
    assert (per["heating"].houses, per["heating"].social) == (2, {})
    assert (per["cold_water"].houses, per["cold_water"].social) == (2, {"school": 1})
    assert [(i.outage.id, i.houses, i.social) for i in per["cold_water"].outages] == [(c, 2, {"school": 1})]
    assert [(i.outage.id, i.houses) for i in per["heating"].outages] == [(b, 2)]
    assert (s.houses, s.social) == (4, {"school": 1})


async def test_outage_log_and_xlsx(session: AsyncSession) -> None:
    _w, (a, b, c) = await _data(session)
    now = NOW + 4 * H
    log = await summary.outage_log(session, NOW - 24 * H, NOW + 24 * H, now)
    assert [(e.outage.id, e.houses, e.duration, e.house_hours) for e in log] == [
        (a, 4, 4 * H, 11.0),  # Lenina 1: 4 h, Lenina 3: 2 h, school: 4 h, hospital: 1 h
        (b, 2, 4 * H, 8.0),
        (c, 2, 4 * H, 8.0),
    ]
    assert log[0].social == {"hospital": 1, "school": 1}
    assert await summary.outage_log(session, NOW + 24 * H, NOW + 48 * H, now) == []

    data = await export.export_xlsx(session, CTX, NOW - 24 * H, NOW + 24 * H, now)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert [c.value for c in ws[1]] == OUTAGE_LOG_HEADER
    assert [c.value for c in ws[2]] == [
        a,
        "Аварийное",
        "горячая вода",
        "Устранено",
        datetime(2026, 11, 25, 11, 0),  # Moscow wall-clock time
        datetime(2026, 11, 25, 17, 0),
        datetime(2026, 11, 25, 15, 0),
        4,
        4,
        11,
        "больницы: 1, школы: 1",
        "ул. Ленина, 1; ул. Ленина, 3; ул. Мира, 10 (ЦРБ); ул. Школьная, 5 (Школа № 2)",
        "Порыв трубы",
    ]
    assert [c.value for c in ws[3]] == [
        b,
        "Аварийное",
        "отопление",
        "Действует",
        datetime(2026, 11, 25, 12, 0),
        datetime(2026, 11, 25, 17, 0),
        None,
        4,
        2,
        8,
        None,
        "ул. Ленина, 1; ул. Мира, 12",
        None,
    ]
    assert [c.value for c in ws[4]][:8] == [
        c,
        "Аварийное",
        "холодная вода",
        "Действует",
        datetime(2026, 11, 25, 12, 0),
        None,
        None,
        4,
    ]
    assert [ws.cell(5, i).value for i in (1, 9, 10)] == ["Итого", 8, 27]
    assert ws.max_row == 5
    assert ws["E2"].number_format == "DD.MM.YYYY HH:MM" and ws["J2"].number_format == "0.00"
    en = load_workbook(io.BytesIO(export.log_workbook(log, CTX, "en"))).active
    assert en is not None
    assert [en.cell(1, i).value for i in (1, 2, 10)] == ["No.", "Type", "House-hours"]
    assert [en.cell(2, i).value for i in (2, 3, 4)] == ["Emergency", "hot water", "Resolved"]
