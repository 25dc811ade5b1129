"""Resident signals (queue, linking, reopening) and planned outages on a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import OutageStatus
from services.errors import InvalidInput, NotFound
from services.outages import lifecycle, planned, signals
from tests.services.test_outages_lifecycle import CTX, NOW, chat, create, outbox_rows, seed


async def test_signal_queue_link_and_reopen(session: AsyncSession) -> None:
    w = await seed(session)
    d = w.dispatcher
    a = await signals.report_signal(session, 101, w.b["l1"], None, "hot_water", "Нет ГВС", now=NOW)
    assert (await signals.report_signal(session, 101, w.b["l1"], None, "hot_water", now=NOW)).id == a.id
    b = await signals.report_signal(
        session, 102, w.b["l1"], None, "hot_water", now=NOW + timedelta(minutes=5)
    )
    c = await signals.report_signal(session, 102, w.b["l1"], None, "heating", now=NOW)
    e = await signals.report_signal(session, 104, None, "Мира 99", "hot_water", now=NOW)
    with pytest.raises(InvalidInput):
        await signals.report_signal(session, 104, None, " ", "hot_water")
    queue = await signals.signal_queue(session)
    assert [(g.resource, g.building.id if g.building else g.address_text, g.count) for g in queue] == [
        ("hot_water", w.b["l1"], 2),
        ("heating", w.b["l1"], 1),
        ("hot_water", "Мира 99", 1),
    ]
    assert queue[0].signal_ids == [a.id, b.id] and queue[0].open_outage_ids == []

    oid = (await signals.create_outage_from_signals(session, d, [a.id, b.id], now=NOW)).id  # type: ignore[arg-type]
    outage = await lifecycle.get_outage(session, oid)
    assert (outage.resource, outage.starts_at, outage.status) == ("hot_water", NOW, OutageStatus.DRAFT)
    assert await lifecycle.current_building_ids(session, oid) == [w.b["l1"]]
    with pytest.raises(InvalidInput):
        await signals.create_outage_from_signals(session, d, [c.id, e.id])  # type: ignore[arg-type]
    queue = await signals.signal_queue(session)
    assert [g.signal_ids for g in queue] == [[c.id], [e.id]]

    with pytest.raises(InvalidInput):  # not restored yet: nothing to reopen
        await signals.reopen_signal(session, 101, a.id)
    await lifecycle.publish(session, CTX, d, oid, now=NOW)  # type: ignore[arg-type]
    await lifecycle.resolve(session, CTX, d, oid, now=NOW + timedelta(hours=1))  # type: ignore[arg-type]
    with pytest.raises(NotFound):  # someone else's signal
        await signals.reopen_signal(session, 102, a.id)
    back = await signals.reopen_signal(session, 101, a.id)
    assert (back.status, back.reopened_count, back.outage_id) == ("new", 1, oid)
    assert (await signals.reopen_signal(session, 101, a.id)).reopened_count == 1  # double press
    queue = await signals.signal_queue(session)
    assert [(g.signal_ids, g.reopened) for g in queue] == [([a.id], 1), ([c.id], 0), ([e.id], 0)]
    # Linked again to a new outage, the reopened signal's group shows where it could go.
    oid2 = await create(session, w, ["l1"])
    assert (await signals.signal_queue(session))[0].open_outage_ids == [oid2]
    assert await signals.link_signals(session, d, [a.id], oid2) == 1  # type: ignore[arg-type]
    assert await signals.link_signals(session, d, [a.id], oid2) == 0  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):  # reports about heating never join a hot-water outage
        await signals.link_signals(session, d, [c.id], oid2)  # type: ignore[arg-type]
    assert [g.signal_ids for g in await signals.signal_queue(session)] == [[c.id], [e.id]]


async def test_planned_outage_warn_start_end_idempotent(session: AsyncSession) -> None:
    w = await seed(session)
    start, end = NOW + timedelta(hours=30), NOW + timedelta(hours=34)
    oid = await create(session, w, ["l1", "l3"], kind="planned", starts_at=start, expected_end_at=end)
    await lifecycle.publish(session, CTX, w.dispatcher, oid, now=NOW)  # type: ignore[arg-type]
    assert (await lifecycle.get_outage(session, oid)).status == OutageStatus.PLANNED

    async def scan(at: timedelta) -> tuple[int, int, int, int]:
        r = await planned.planned_scan(session, CTX, NOW + at)
        return r.warned, r.started, r.ended, r.queued

    assert await scan(timedelta(hours=5)) == (0, 0, 0, 0)
    assert await scan(timedelta(hours=6, minutes=1)) == (1, 0, 0, 2)
    assert await scan(timedelta(hours=7)) == (0, 0, 0, 0)  # re-run: nothing new
    assert await scan(timedelta(hours=30, minutes=1)) == (0, 1, 0, 2)
    assert (await lifecycle.get_outage(session, oid)).status == OutageStatus.ACTIVE
    assert await scan(timedelta(hours=31)) == (0, 0, 0, 0)
    assert await scan(timedelta(hours=34, minutes=5)) == (0, 0, 1, 2)
    assert await scan(timedelta(hours=35)) == (0, 0, 0, 0)
    outage = await lifecycle.get_outage(session, oid)
    assert (outage.status, outage.ended_at) == (OutageStatus.RESOLVED, end)
    heads = [r.payload["text"].split("\n")[0] for r in await outbox_rows(session) if r.chat_id == chat(101)]
    assert heads == [
        "<b>♨️ 🛠 Плановое отключение: горячая вода</b>",
        "<b>♨️ ⏰ Скоро плановое отключение: горячая вода</b>",
        "<b>♨️ 🛠 Началось плановое отключение: горячая вода</b>",
        "<b>♨️ ✅ Подача восстановлена: горячая вода</b>",
    ]
    assert len(await outbox_rows(session)) == 8


async def test_planned_scan_coalesces_missed_runs(session: AsyncSession) -> None:
    w = await seed(session)
    # Published 10 h before its start: the publish notice is the warning.
    soon = await create(
        session,
        w,
        ["l1"],
        kind="planned",
        starts_at=NOW + timedelta(hours=10),
        expected_end_at=NOW + timedelta(hours=12),
    )
    await lifecycle.publish(session, CTX, w.dispatcher, soon, now=NOW)  # type: ignore[arg-type]
    r = await planned.planned_scan(session, CTX, NOW + timedelta(hours=1))
    assert (r.warned, r.queued) == (0, 0)
    # The scheduler was down across start and end: only the restored notice goes out.
    r = await planned.planned_scan(session, CTX, NOW + timedelta(hours=13))
    assert (r.warned, r.started, r.ended, r.queued) == (0, 0, 1, 1)
    heads = [row.payload["text"].split("\n")[0] for row in await outbox_rows(session)]
    assert heads == [
        "<b>♨️ 🛠 Плановое отключение: горячая вода</b>",
        "<b>♨️ ✅ Подача восстановлена: горячая вода</b>",
    ]
